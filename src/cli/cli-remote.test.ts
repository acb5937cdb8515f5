/**
 * `vtg serve` as a child process and the same commands through `--server`: remote mode prints what
 * embedded mode prints (volatile fields aside), tokens gate the server, and SIGTERM stops it with 0.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
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

const local = (args: string[]) => runVtg(args, localBox.env());
/** `token`: null sends none; by default the admin token once it exists. */
const remote = (args: string[], token?: string | null) =>
  runVtg(['--server', url, ...args], serverBox.env({ VTG_TOKEN: token === null ? undefined : (token ?? (adminToken || undefined)) }));

function stable(record: Record<string, unknown>): Record<string, unknown> {
  const { indicator, kind, id, provider, found, verdict, malicious, suspicious, harmless, undetected, detections, engines, threat } = record;
  return { indicator, kind, id, provider, found, verdict, malicious, suspicious, harmless, undetected, detections, engines, threat };
}

before(async () => {
  ensureBuilt();
  serverBox = sandbox();
  localBox = sandbox();
  server = startVtg(['serve', '--port', '0'], serverBox.env());
  await server.waitFor((o) => /listening on http:\/\/127\.0\.0\.1:\d+/.test(o), 30_000);
  url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stdout())?.[1] as string;
});

after(async () => {
  server?.kill('SIGKILL');
  await server?.exited;
  serverBox?.remove();
  localBox?.remove();
});

describe('vtg --server against vtg serve', () => {
  test('serve prints its URL and the mock banner', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.stderr().includes(BANNER));
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

  test('--cache-only is refused remotely (the server decides by role), and a bad --server is a usage error', async () => {
    const r = await remote(['lookup', EICAR_SHA256, '--cache-only']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /reader token/);
    const bad = await runVtg(['--server', 'ftp://nope', 'quota'], localBox.env());
    assert.equal(bad.code, 2);
    const down = await runVtg(['--server', 'http://127.0.0.1:9', 'quota'], localBox.env());
    assert.equal(down.code, 3);
    assert.match(down.stderr, /cannot reach the server/);
  });

  test('SIGTERM stops the server cleanly with exit 0', async () => {
    server.kill('SIGTERM');
    const end = await server.exited;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stderr, /SIGTERM: closing/);
  });

  test('the client token is never printed by commands that send it', () => {
    assert.ok(adminToken.length > 20);
    const outputs = transcript.filter((t) => !t.includes('"role": "admin"'));
    for (const text of outputs) assert.ok(!text.includes(adminToken), `leaked token in: ${text.slice(0, 300)}`);
  });
});
