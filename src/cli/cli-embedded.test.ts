/**
 * The built `vtg` in embedded mock mode (no VirusTotal key): every command prints what a user
 * needs, exit codes are honest, and the mock banner goes to stderr so --json stays clean.
 */
import assert from 'node:assert/strict';
import { statSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createHash } from 'node:crypto';
import { CLEAN_SHA256, EICAR_SHA256, EICAR_STRING, mockVerdict, SUSPICIOUS_SHA256 } from '../mock/index.js';
import { hasScript, mockCli, REPO, runVtg, startVtg, transcript } from './test-support/harness.js';

const BANNER = 'vtg: no VirusTotal key configured — using the built-in simulator (mock mode)';
// a key-shaped secret used only by `config init` below; it must never be printed
const CONFIG_KEY = 'c0ffee00'.repeat(8);

const cli = mockCli();
const { vtg } = cli;

/** File content whose hash the simulator does not know, so scanning it must upload. */
function unknownContent(): string {
  for (let i = 0; i < 1000; i++) {
    const text = `fresh sample ${i}`;
    if (!mockVerdict('file', createHash('sha256').update(text).digest('hex')).found) return text;
  }
  throw new Error('no unknown content found');
}

describe('vtg in embedded mock mode', () => {
  test('lookup prints one table row per indicator, says mock on stderr, and rejects junk with exit 2', async () => {
    const r = await vtg(['lookup', EICAR_SHA256, 'example[.]com', '8.8.8.8', 'not_an_ioc!']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(BANNER));
    assert.match(r.stderr, /"not_an_ioc!": not a hash, URL, domain or IP/);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] as string, /^INDICATOR\s+KIND\s+VERDICT\s+DETECTIONS\s+THREAT\s+SOURCE$/);
    assert.equal(lines.length, 4);
    assert.match(r.stdout, new RegExp(`${EICAR_SHA256}\\s+file\\s+malicious\\s+62/\\d+\\s+virus\\.eicar/test\\s+upstream`));
    assert.match(r.stdout, /example\.com\s+domain\s+\w+/);
    assert.match(r.stdout, /8\.8\.8\.8\s+ip\s+/);
    assert.ok(!r.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');
  });

  test('stdin with comments, blank lines and defanged input; --json is clean and answers from the cache', async () => {
    const input = `# my iocs\n\n${EICAR_SHA256}   # eicar\nexample[.]com\n`;
    const r = await vtg(['lookup', '-', '--json'], input);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Array<{ indicator: string; verdict: string; source: string; result: { report: { stats: { malicious: number } } } }>;
    assert.deepEqual(
      doc.map((d) => [d.indicator, d.source]),
      [
        [EICAR_SHA256, 'cache'],
        ['example.com', 'cache'],
      ],
    );
    assert.equal(doc[0]?.result.report.stats.malicious, 62);
    assert.ok(r.stderr.includes(BANNER), 'the banner is on stderr, not in the JSON');
  });

  test('--fields filters JSON keys; --csv quotes properly', async () => {
    const json = await vtg(['lookup', EICAR_SHA256, '--json', '--fields', 'indicator,verdict,result.report.stats.malicious']);
    assert.deepEqual(JSON.parse(json.stdout), [{ indicator: EICAR_SHA256, verdict: 'malicious', result: { report: { stats: { malicious: 62 } } } }]);

    const url = 'http://example.com/a,b"c';
    const csv = await vtg(['lookup', url, EICAR_SHA256, '--csv', '--fields', 'indicator,verdict,detections']);
    assert.equal(csv.code, 0, csv.stderr);
    const rows = csv.stdout.trim().split('\n');
    assert.equal(rows[0], 'indicator,verdict,detections');
    assert.match(rows[1] as string, /^"http:\/\/example\.com\/a,b(%22|"")c",\w+,\d*$/);
    assert.equal(rows[2], `${EICAR_SHA256},malicious,62`);
  });

  test('--extract pulls every indicator out of free text', async () => {
    const file = join(cli.box.dir, 'report.txt');
    writeFileSync(file, `The dropper hxxp://evil-example[.]com/payload.sh fetched ${EICAR_SHA256}.\nC2 at 203.0.113.7? no: 8.8.8.8 (see report.pdf)\n`);
    const r = await vtg(['lookup', '--extract', file, '--csv', '--fields', 'indicator,kind']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').slice(1);
    assert.deepEqual(rows.sort(), [`${EICAR_SHA256},file`, '8.8.8.8,ip', 'http://evil-example.com/payload.sh,url'].sort());
  });

  test('--fail-on is a CI gate computed from the v3 stats', async () => {
    const eicar = await vtg(['lookup', EICAR_SHA256, '--fail-on', 'malicious>=1']);
    assert.equal(eicar.code, 1);
    assert.match(eicar.stderr, /--fail-on malicious>=1 met by 275a021b\w+ \(62 malicious/);
    const clean = await vtg(['lookup', CLEAN_SHA256, '--fail-on', 'malicious>=1', '--fail-on', 'suspicious']);
    assert.equal(clean.code, 0, clean.stderr);
    const suspicious = await vtg(['lookup', SUSPICIOUS_SHA256, EICAR_SHA256, '--fail-on', 'suspicious', '--fail-on', 'detections>=63', '--quiet']);
    assert.equal(suspicious.code, 1);
    assert.match(suspicious.stderr, /--fail-on suspicious met by 8accaea0/);
    assert.match(suspicious.stderr, /--fail-on suspicious met by 275a021b/, 'any malicious engine meets "suspicious"');
    assert.ok(!suspicious.stderr.includes('detections>=63'), 'EICAR has 62 detections: >=63 is not met');
    const bad = await vtg(['lookup', EICAR_SHA256, '--fail-on', 'harmful>=1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fail-on "harmful>=1": expected METRIC/);
  });

  test('the key is never accepted as an argument', async () => {
    const r = await vtg(['lookup', '--apikey', 'deadbeefdeadbeef', EICAR_SHA256]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--apikey is not accepted/);
    assert.match(r.stderr, /VT_API_KEY/);
    assert.match(r.stderr, /vtg config init/);
    assert.ok(!r.stderr.includes('deadbeefdeadbeef'), 'the value is not echoed');
    assert.equal(r.stdout, '');
  });

  test('quota shows every window with a bar and the key label, never a key', async () => {
    const table = await vtg(['quota']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /key\s+virustotal:vt:[0-9a-f]{12}/);
    assert.match(table.stdout, /status\s+healthy/);
    assert.match(table.stdout, /day\s+\d+\s+\d+\s+\d+\s+[\u2588\u2591]{20}/);
    const json = await vtg(['quota', '--json']);
    const q = JSON.parse(json.stdout) as { provider: string; mock: boolean; windows: Array<{ window: string; used: number }> };
    assert.equal(q.provider, 'virustotal');
    assert.equal(q.mock, true);
    assert.deepEqual(q.windows.map((w) => w.window), ['minute', 'hour', 'day', 'month']);
    const bad = await vtg(['quota', 'shodan']);
    assert.equal(bad.code, 2);
  });

  test('cache info, list, clear and prune', async () => {
    const info = JSON.parse((await vtg(['cache', 'info', '--json'])).stdout) as { entries: Record<string, number>; path: string };
    assert.ok((info.entries.file ?? 0) >= 1);
    assert.ok((info.entries.domain ?? 0) >= 1);
    const list = JSON.parse((await vtg(['cache', 'list', '--kind', 'domain', '--json'])).stdout) as { items: Array<{ indicator: string; kind: string }>; nextCursor: string | null };
    assert.ok(list.items.some((i) => i.indicator === 'example.com'));
    assert.ok(list.items.every((i) => i.kind === 'domain'));

    const none = await vtg(['cache', 'clear']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /an indicator, --kind K, or --all/);
    const one = await vtg(['cache', 'clear', 'example.com']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /removed 1 cache entry \(example\.com\)/);
    const kind = JSON.parse((await vtg(['cache', 'clear', '--kind', 'ip', '--json'])).stdout) as { removed: number; kind: string };
    assert.equal(kind.kind, 'ip');
    assert.ok(kind.removed >= 1);
    const prune = await vtg(['cache', 'prune']);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stdout, /removed\s+\d+ \(age \d+, count \d+, size \d+\)/);
  });

  test('history shows the time series of one indicator', async () => {
    const r = await vtg(['history', EICAR_SHA256]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${EICAR_SHA256} \\(file, virustotal\\): 1 observation`));
    assert.match(r.stdout, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+malicious\s+62\/\d+\s+virus\.eicar\/test/);
  });

  test('enrich asks every source for an IP and merges the verdicts', async () => {
    const r = await vtg(['enrich', '8.8.4.4']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^8\.8\.4\.4 \(ip\)\s+overall: \w+/);
    for (const source of ['virustotal', 'dshield', 'spur']) assert.match(r.stdout, new RegExp(`^  ${source}\\s+\\S`, 'm'));
  });

  test('scan file: known files answered by hash, unknown ones uploaded; --wait gives the verdict; a directory shows progress', async () => {
    const dir = join(cli.box.dir, 'samples');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(join(dir, 'eicar.com'), EICAR_STRING);
    writeFileSync(join(dir, 'nested', 'fresh.bin'), unknownContent());
    const r = await vtg(['scan', 'file', dir, '--wait', '--timeout', '60', '--json', '--progress-interval', '0.01']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{ subject: string; status: string; verdict: string | null; analysisId: string | null }>;
    assert.equal(rows.length, 2);
    const eicar = rows.find((x) => x.subject.endsWith('eicar.com'));
    const fresh = rows.find((x) => x.subject.endsWith('fresh.bin'));
    assert.equal(eicar?.status, 'known');
    assert.equal(eicar?.verdict, 'malicious');
    assert.equal(fresh?.status, 'completed');
    assert.ok(fresh?.analysisId);
    assert.ok(fresh?.verdict);
    assert.match(r.stderr, /vtg: scan: \d\/2 done/, 'plain progress lines without a terminal');

    const missing = await vtg(['scan', 'file', join(cli.box.dir, 'nope.bin')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.bin: no such file or directory/);
  });

  test('scan url submits and says how to follow the analysis', async () => {
    const r = await vtg(['scan', 'url', 'https://example.net/login', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const [row] = JSON.parse(r.stdout) as Array<{ status: string; analysisId: string }>;
    assert.equal(row?.status, 'submitted');
    assert.match(r.stderr, /follow it with: vtg analysis \S+ --wait/);
  });

  test('batch --dry-run prints the cost and exits 0; a small batch prints results and a summary', async () => {
    const file = join(cli.box.dir, 'batch.txt');
    writeFileSync(file, `# list\n${EICAR_SHA256}\n${CLEAN_SHA256}\n\nexample.com\nnot valid!\n`);
    const dry = await vtg(['batch', file, '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const e = JSON.parse(dry.stdout) as { total: number; invalid: number; cached: number; upstream: number; etaMs: number; quota: { windows: unknown[] } };
    assert.equal(e.total, 4);
    assert.equal(e.invalid, 1);
    assert.equal(e.cached + e.upstream, 3);
    assert.ok(e.quota.windows.length > 0);

    const run = await vtg(['batch', file, '--json', '--fail-on', 'malicious>=1']);
    assert.equal(run.code, 2, 'an invalid line is an input error, which outranks the --fail-on hit');
    const doc = JSON.parse(run.stdout) as { batch: { id: string; status: string; total: number }; results: Array<{ indicator: string; verdict: string }> };
    assert.equal(doc.batch.status, 'completed');
    assert.equal(doc.results.length, 3);
    assert.match(run.stderr, /"not valid!": not a hash/);
    assert.match(run.stderr, /batch \S+ completed: 3\/4 done/);
    assert.match(run.stderr, /--fail-on malicious>=1 met by 275a021b/);

    const status = JSON.parse((await vtg(['batch', '--status', doc.batch.id, '--json'])).stdout) as { job: { status: string } };
    assert.equal(status.job.status, 'completed');

    // --budget 1: one upstream call; the other unknown indicator is skipped, the cached one still answered
    const budgetFile = join(cli.box.dir, 'budget.txt');
    writeFileSync(budgetFile, `budget-one.example\n${EICAR_SHA256}\nbudget-two.example\n`);
    const budget = await vtg(['batch', budgetFile, '--budget', '1', '--json', '--fields', 'indicator,source']);
    assert.equal(budget.code, 0, budget.stderr);
    const b = JSON.parse(budget.stdout) as { batch: { upstreamCalls: number; budget: number }; results: Array<{ indicator: string; source: string }> };
    assert.deepEqual([b.batch.upstreamCalls, b.batch.budget], [1, 1]);
    assert.equal(b.results.length, 2);
    assert.deepEqual(b.results.find((r) => r.indicator === EICAR_SHA256), { indicator: EICAR_SHA256, source: 'cache' });
    assert.match(budget.stderr, /budget-\w+\.example: skipped \(the batch budget of upstream calls is spent/);
  });

  test('token create prints the token once; list and revoke manage it', async () => {
    const created = await vtg(['token', 'create', '--name', 'ci', '--role', 'reader', '--daily-budget', '50', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const t = JSON.parse(created.stdout) as { token: string; id: string; name: string; role: string; dailyBudget: number };
    assert.ok(t.token.length >= 32);
    assert.equal(t.role, 'reader');
    assert.equal(t.dailyBudget, 50);
    const list = await vtg(['token', 'list']);
    assert.match(list.stdout, new RegExp(`${t.id}\\s+ci\\s+reader\\s+50`));
    assert.ok(!list.stdout.includes(t.token), 'the list never shows the token');
    const dup = await vtg(['token', 'create', '--name', 'ci', '--role', 'reader']);
    assert.equal(dup.code, 2);
    const badRole = await vtg(['token', 'create', '--name', 'x', '--role', 'root']);
    assert.equal(badRole.code, 2);
    assert.equal((await vtg(['token', 'revoke', 'ci'])).code, 0);
    const again = await vtg(['token', 'revoke', 'ci']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /no live token with id or name "ci"/);
  });

  test('health and providers', async () => {
    const health = await vtg(['health', '--json']);
    assert.equal(health.code, 0, health.stderr);
    const h = JSON.parse(health.stdout) as { status: string; mock: boolean; keyConfigured: boolean };
    assert.deepEqual([h.status, h.mock, h.keyConfigured], ['ok', true, false]);
    const providers = await vtg(['providers']);
    assert.match(providers.stdout, /virustotal\s+yes\s+healthy/);
  });

  test('config init reads the key from stdin, writes a 0600 file, and config show masks it', async () => {
    const file = join(cli.box.dir, 'conf', 'config.json');
    const cenv = { ...cli.env, VTG_CONFIG: file };
    const init = await runVtg(['config', 'init'], cenv, { input: `${CONFIG_KEY}\n\n\nsoc@example.org\n` });
    assert.equal(init.code, 0, init.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { virustotal: { apiKey: string }; dshield: { email: string } };
    assert.equal(saved.virustotal.apiKey, CONFIG_KEY);
    assert.equal(saved.dshield.email, 'soc@example.org');
    assert.match(init.stdout, /wrote .*config\.json \(mode 0600\)/);
    const show = await runVtg(['config', 'show'], cenv);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /virustotal\.apiKey\s+c0ff\*+ \(64 chars\)/);
    assert.match(show.stdout, /mock\s+false/);
    const json = JSON.parse((await runVtg(['config', 'show', '--json'], cenv)).stdout) as { mock: boolean; virustotal: { apiKey: string } };
    assert.equal(json.mock, false);
    assert.notEqual(json.virustotal.apiKey, CONFIG_KEY);
    const empty = await runVtg(['config', 'init'], { ...cli.env, VTG_CONFIG: join(cli.box.dir, 'conf2', 'c.json') }, { input: '' });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no VirusTotal key given/);
  });

  test('config init on a terminal reads the key without echo', { skip: !hasScript() && 'util-linux script is not installed' }, async () => {
    const file = join(cli.box.dir, 'conf-tty', 'config.json');
    const live = startVtg(['config', 'init'], { ...cli.env, VTG_CONFIG: file }, { pty: true });
    const prompts = ['VirusTotal API key', 'URLhaus Auth-Key', 'SPUR API token', 'DShield contact'];
    const answers = [`${CONFIG_KEY}\r`, '\r', '\r', 'tty@example.org\r'];
    for (const [i, prompt] of prompts.entries()) {
      await live.waitFor((o) => o.includes(prompt));
      live.write(answers[i] as string);
    }
    const end = await live.exited;
    assert.equal(end.code, 0, end.stdout);
    assert.ok(!end.stdout.includes(CONFIG_KEY.slice(0, 12)), 'the key was not echoed to the terminal');
    assert.ok(end.stdout.includes('tty@example.org'), 'the e-mail (not a secret) is echoed');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { virustotal: { apiKey: string } }).virustotal.apiKey, CONFIG_KEY);
  });

  test('help documents exit codes and examples; version, completion', async () => {
    const help = await vtg(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes:\n\s+0\s+done\n\s+1\s+a --fail-on threshold was met/);
    for (const cmd of ['lookup', 'scan', 'batch', 'quota', 'cache', 'history', 'token', 'mock', 'serve', 'enrich', 'config', 'completion', 'version']) {
      assert.match(help.stdout, new RegExp(`^  ${cmd}\\b`, 'm'), `${cmd} is listed`);
    }
    const lookupHelp = await vtg(['lookup', '--help']);
    assert.match(lookupHelp.stdout, /Examples:\n\s+vtg lookup/);
    assert.match(lookupHelp.stdout, /--no-wait/);
    const unknown = await vtg(['lookup', '--frobnicate']);
    assert.equal(unknown.code, 2);
    const version = await vtg(['version', '--json']);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    assert.equal((JSON.parse(version.stdout) as { version: string }).version, pkg.version);
    for (const shell of ['bash', 'zsh', 'fish']) {
      const c = await vtg(['completion', shell]);
      assert.equal(c.code, 0);
      assert.match(c.stdout, /lookup/);
      assert.match(c.stdout, /complete/);
    }
    assert.equal((await vtg(['completion', 'tcsh'])).code, 2);
  });

  test('nothing printed in this file contains the configured key', () => {
    assert.ok(transcript.length > 20);
    for (const text of transcript) assert.ok(!text.includes(CONFIG_KEY), `leaked key in: ${text.slice(0, 200)}`);
  });
});
