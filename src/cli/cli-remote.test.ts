/**
 * `vtg serve` as a child process and the same commands through `--server`: remote mode prints what
 * embedded mode prints (volatile fields aside), including --cache-only, --priority, rescans and
 * analyses; tokens gate the server; stdout carries only the JSON log; SIGTERM stops it with 0.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EICAR_SHA256, EICAR_STRING } from '../mock/index.js';
import { ensureBuilt, type LiveVtg, runVtg, type Sandbox, sandbox, startVtg, transcript } from './test-support/harness.js';

const BANNER = 'vtg: no VirusTotal key configured — using the built-in simulator (mock mode)';
const INDICATORS = [EICAR_SHA256, 'example.com', '8.8.8.8'];

let serverBox: Sandbox;
let localBox: Sandbox;
let server: LiveVtg;
let url: string;
let adminToken = '';

// scaled time on both sides: simulated analyses complete in a fraction of a second
const TIME = { VTG_TIME_SCALE: '20' };
const local = (args: string[]) => runVtg(args, localBox.env(TIME));
/** `token`: null sends none; by default the admin token once it exists. */
const remote = (args: string[], token?: string | null) =>
  runVtg(['--server', url, ...args], serverBox.env({ ...TIME, VTG_TOKEN: token === null ? undefined : (token ?? (adminToken || undefined)) }));

/** Every line of a stdout that must hold only the JSON log stream. */
function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The parts of a scan row that do not depend on when or where it ran. */
function scanShape(text: string): unknown[] {
  return (JSON.parse(text) as Array<Record<string, unknown>>).map(({ subject, status, verdict, detections }) => ({ subject, status, verdict, detections }));
}

function stable(record: Record<string, unknown>): Record<string, unknown> {
  const { indicator, kind, id, provider, found, verdict, malicious, suspicious, harmless, undetected, detections, engines, threat } = record;
  return { indicator, kind, id, provider, found, verdict, malicious, suspicious, harmless, undetected, detections, engines, threat };
}

before(async () => {
  ensureBuilt();
  serverBox = sandbox();
  localBox = sandbox();
  server = startVtg(['serve', '--port', '0'], serverBox.env(TIME));
  await server.waitFor((_o, e) => /listening on http:\/\/127\.0\.0\.1:\d+/.test(e), 30_000);
  url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stderr())?.[1] as string;
});

after(async () => {
  server?.kill('SIGKILL');
  await server?.exited;
  serverBox?.remove();
  localBox?.remove();
});

describe('vtg --server against vtg serve', () => {
  test('serve prints its URL and the mock banner on stderr; stdout is the JSON log stream', async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.stderr().includes(BANNER));
    await server.waitFor((o) => o.includes('vt-gateway listening'));
    const started = jsonLines(server.stdout()).find((l) => l.msg === 'vt-gateway listening');
    assert.equal(started?.url, url);
    assert.ok(!server.stdout().includes('vtg serve:'), 'no human line on stdout');
  });

  test('lookup prints the same results remotely as embedded', async () => {
    const [l, r] = await Promise.all([local(['lookup', ...INDICATORS, '--json']), remote(['lookup', ...INDICATORS, '--json'])]);
    assert.equal(l.code, 0, l.stderr);
    assert.equal(r.code, 0, r.stderr);
    const lj = (JSON.parse(l.stdout) as Record<string, unknown>[]).map(stable);
    const rj = (JSON.parse(r.stdout) as Record<string, unknown>[]).map(stable);
    assert.equal(lj.length, 3);
    assert.deepEqual(rj, lj);
    assert.ok(r.stderr.includes(BANNER), 'the remote server runs on the simulator, and says so');
    const table = await remote(['lookup', EICAR_SHA256]);
    assert.match(table.stdout, new RegExp(`${EICAR_SHA256}\\s+file\\s+malicious\\s+62/\\d+\\s+virus\\.eicar/test\\s+cache`));
  });

  test('quota, history and cache info match between the modes', async () => {
    const [lq, rq] = await Promise.all([local(['quota', '--json']), remote(['quota', '--json'])]);
    const shape = (q: { provider: string; mock: boolean; key: string; windows: Array<{ window: string; limit: number }> }) => ({
      provider: q.provider,
      mock: q.mock,
      key: q.key,
      windows: q.windows.map((w) => [w.window, w.limit]),
    });
    assert.deepEqual(shape(JSON.parse(rq.stdout)), shape(JSON.parse(lq.stdout)));

    const [lh, rh] = await Promise.all([local(['history', EICAR_SHA256, '--json']), remote(['history', EICAR_SHA256, '--json'])]);
    const series = (h: { indicator: { id: string }; observations: Array<{ verdict: string; detections: number }> }) => [h.indicator.id, h.observations.map((o) => [o.verdict, o.detections])];
    assert.deepEqual(series(JSON.parse(rh.stdout)), series(JSON.parse(lh.stdout)));

    const [lc, rc] = await Promise.all([local(['cache', 'info', '--json']), remote(['cache', 'info', '--json'])]);
    const counts = (c: { entries: unknown; byProvider: unknown }) => ({ entries: c.entries, byProvider: c.byProvider });
    assert.deepEqual(counts(JSON.parse(rc.stdout)), counts(JSON.parse(lc.stdout)));
  });

  test('a token created on the server data dir (while it runs) gates the server', async () => {
    const created = await runVtg(['token', 'create', '--name', 'admin', '--role', 'admin', '--json'], serverBox.env());
    assert.equal(created.code, 0, created.stderr);
    adminToken = (JSON.parse(created.stdout) as { token: string }).token;

    // the server remembers "no tokens yet" for up to a second: poll (bounded) until it notices
    let anonymous = await remote(['quota'], null);
    for (let i = 0; i < 10 && anonymous.code === 0; i++) {
      await new Promise((r) => setTimeout(r, 300));
      anonymous = await remote(['quota'], null);
    }
    assert.equal(anonymous.code, 3, 'no token: refused');
    assert.match(anonymous.stderr, /server: .*\(\w+ 401\)/);
    const wrong = await remote(['quota'], 'vtg_not-a-real-token');
    assert.equal(wrong.code, 3);
    const ok = await remote(['quota']);
    assert.equal(ok.code, 0, ok.stderr);

    const reader = await remote(['token', 'create', '--name', 'ci', '--role', 'reader', '--json']);
    assert.equal(reader.code, 0, reader.stderr);
    const list = await remote(['token', 'list', '--csv', '--fields', 'name,role']);
    assert.match(list.stdout, /^name,role\n/);
    assert.match(list.stdout, /\nci,reader\n/);
    assert.equal((await remote(['token', 'revoke', 'ci'])).code, 0);
    assert.equal((await remote(['token', 'revoke', 'ci'])).code, 2);
  });

  test('cache clear and prune, enrich, scan file and health through the server', async () => {
    const cleared = await remote(['cache', 'clear', 'example.com', '--json']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal((JSON.parse(cleared.stdout) as { removed: number }).removed, 1);
    assert.equal((await remote(['cache', 'prune'])).code, 0);
    const list = await remote(['cache', 'list', '--kind', 'file', '--json']);
    assert.ok((JSON.parse(list.stdout) as { items: unknown[] }).items.length >= 1);

    const enrich = await remote(['enrich', '8.8.8.8']);
    assert.equal(enrich.code, 0, enrich.stderr);
    assert.match(enrich.stdout, /^8\.8\.8\.8 \(ip\)\s+overall: \w+/);
    assert.match(enrich.stdout, /^ {2}dshield\s+\S/m);

    const sample = join(localBox.dir, 'eicar.com');
    writeFileSync(sample, EICAR_STRING);
    const scan = await remote(['scan', 'file', sample, '--fail-on', 'malicious>=1']);
    assert.equal(scan.code, 1, scan.stderr);
    assert.match(scan.stdout, /eicar\.com\s+known\s+malicious/);

    const health = await remote(['health', '--json']);
    assert.equal(health.code, 0, health.stderr);
    assert.deepEqual((({ status, mock }) => ({ status, mock }))(JSON.parse(health.stdout)), { status: 'ok', mock: true });
    assert.equal((await remote(['changes'])).code, 0);
    assert.equal((await remote(['providers'])).code, 0);
  });

  test('batch through the server: dry run, results and summary', async () => {
    const file = join(localBox.dir, 'remote-batch.txt');
    writeFileSync(file, `${EICAR_SHA256}\nexample.org\n# comment\n1.1.1.1\n`);
    const dry = await remote(['batch', file, '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal((JSON.parse(dry.stdout) as { total: number }).total, 3);
    const run = await remote(['batch', file, '--ndjson', '--fields', 'indicator,verdict']);
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { indicator: string; verdict: string });
    assert.deepEqual(rows.map((r) => r.indicator).sort(), [EICAR_SHA256, '1.1.1.1', 'example.org'].sort());
    assert.match(run.stderr, /batch \S+ completed: 3\/3 done/);
  });

  test('--cache-only through the server answers as embedded does: cached answers print, a miss exits 3 in both modes', async () => {
    const cached = ['lookup', EICAR_SHA256, '8.8.8.8', '--cache-only', '--json'];
    const [l, r] = await Promise.all([local(cached), remote(cached)]);
    assert.equal(l.code, 0, l.stderr);
    assert.equal(r.code, 0, r.stderr);
    const rows = (JSON.parse(r.stdout) as Record<string, unknown>[]).map(stable);
    assert.deepEqual(rows, (JSON.parse(l.stdout) as Record<string, unknown>[]).map(stable));
    assert.deepEqual((JSON.parse(r.stdout) as Array<{ source: string }>).map((x) => x.source), ['cache', 'cache']);

    const miss = ['lookup', 'never-looked-up.example', '--cache-only'];
    const [lm, rm] = await Promise.all([local(miss), remote(miss)]);
    assert.deepEqual([lm.code, rm.code], [3, 3]);
    assert.match(rm.stderr, /never-looked-up\.example: .*not in the cache/);

    const enrich = ['enrich', '8.8.8.8', '--providers', 'virustotal', '--cache-only', '--json', '--fields', 'indicator,verdict,virustotal'];
    const [le, re] = await Promise.all([local(enrich), remote(enrich)]);
    assert.equal(re.code, 0, re.stderr);
    assert.deepEqual(JSON.parse(re.stdout), JSON.parse(le.stdout));
    const enrichMiss = await remote(['enrich', 'never-enriched.example', '--providers', 'virustotal', '--cache-only']);
    assert.equal(enrichMiss.code, 3);
    assert.match(enrichMiss.stdout, /virustotal\s+error: .*not in the cache/);

    const bad = await runVtg(['--server', 'ftp://nope', 'quota'], localBox.env());
    assert.equal(bad.code, 2);
    const down = await runVtg(['--server', 'http://127.0.0.1:9', 'quota'], localBox.env());
    assert.equal(down.code, 3);
    assert.match(down.stderr, /cannot reach the server/);
  });

  test('--priority, rescan --wait, scan url --wait and analysis work through the server and print what embedded mode prints', async () => {
    const lookup = ['lookup', 'priority.example', '--priority', 'background', '--json'];
    const [lp, rp] = await Promise.all([local(lookup), remote(lookup)]);
    assert.equal(rp.code, 0, rp.stderr);
    assert.deepEqual((JSON.parse(rp.stdout) as Record<string, unknown>[]).map(stable), (JSON.parse(lp.stdout) as Record<string, unknown>[]).map(stable));

    const rescan = ['rescan', EICAR_SHA256, '--wait', '--timeout', '60', '--priority', 'batch', '--json'];
    const [lr, rr] = await Promise.all([local(rescan), remote(rescan)]);
    assert.equal(lr.code, 0, lr.stderr);
    assert.equal(rr.code, 0, rr.stderr);
    assert.deepEqual(scanShape(rr.stdout), [{ subject: EICAR_SHA256, status: 'completed', verdict: 'malicious', detections: 62 }]);
    assert.deepEqual(scanShape(rr.stdout), scanShape(lr.stdout));

    const scan = ['scan', 'url', 'https://example.com/remote-priority', '--wait', '--timeout', '60', '--priority', 'background', '--json'];
    const [ls, rs] = await Promise.all([local(scan), remote(scan)]);
    assert.equal(rs.code, 0, rs.stderr);
    assert.deepEqual(scanShape(rs.stdout), scanShape(ls.stdout));
    assert.equal((JSON.parse(rs.stdout) as Array<{ status: string }>)[0]?.status, 'completed');

    // a VirusTotal URL id (sha256 of the URL) is a URL only with --kind url
    const urlId = createHash('sha256').update('https://example.com/remote-priority').digest('hex');
    const byId = await remote(['rescan', urlId, '--kind', 'url', '--wait', '--timeout', '60', '--json']);
    assert.equal(byId.code, 0, byId.stderr);
    assert.deepEqual(
      scanShape(byId.stdout).map((r) => ({ ...(r as object), subject: undefined })),
      scanShape(rs.stdout).map((r) => ({ ...(r as object), subject: undefined })),
    );

    const id = (JSON.parse(rs.stdout) as Array<{ analysisId: string }>)[0]?.analysisId as string;
    const analysis = await remote(['analysis', id]);
    assert.equal(analysis.code, 0, analysis.stderr);
    assert.match(analysis.stdout, /status\s+completed/);
    assert.match(analysis.stdout, /item\s+https:\/\/example\.com\/remote-priority/);
    assert.match(analysis.stdout, /verdict\s+\w+/);
  });

  test('SIGTERM stops the server cleanly with exit 0; its stdout held JSON log lines only', async () => {
    server.kill('SIGTERM');
    const end = await server.exited;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stderr, /SIGTERM: closing/);
    const log = jsonLines(end.stdout);
    assert.ok(log.some((l) => l.msg === 'request' && l.path === '/api/health'), 'one line per request');
    assert.equal(log[log.length - 1]?.msg, 'vt-gateway stopped');
  });

  test('serve --log-file appends the JSON log there and leaves stdout empty; a bad --log-file is a usage error', async (t) => {
    const file = join(localBox.dir, 'serve.log');
    const live = startVtg(['serve', '--port', '0', '--log-file', file], localBox.env());
    t.after(() => live.kill('SIGKILL'));
    await live.waitFor((_o, e) => /listening on http:\/\/127\.0\.0\.1:\d+/.test(e), 30_000);
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(live.stderr())?.[1] as string;
    assert.equal((await fetch(`${base}/api/health`)).status, 200);
    live.kill('SIGTERM');
    const end = await live.exited;
    assert.equal(end.code, 0, end.stderr);
    assert.equal(end.stdout, '');
    const log = jsonLines(readFileSync(file, 'utf8'));
    assert.ok(log.some((l) => l.msg === 'request' && l.path === '/api/health' && l.status === 200));
    assert.equal(log[log.length - 1]?.msg, 'vt-gateway stopped');

    const bad = await runVtg(['serve', '--port', '0', '--log-file', join(localBox.dir, 'no-such-dir', 'x.log')], localBox.env());
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--log-file .*x\.log: ENOENT/);
  });

  test('the client token is never printed by commands that send it', () => {
    assert.ok(adminToken.length > 20);
    const outputs = transcript.filter((t) => !t.includes('"role": "admin"'));
    for (const text of outputs) assert.ok(!text.includes(adminToken), `leaked token in: ${text.slice(0, 300)}`);
  });
});
