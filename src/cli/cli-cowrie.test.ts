/**
 * The built `vtg enrich cowrie` on the real Cowrie logs (copied into a temp dir, so state stays
 * there), with keys for all four sources pointed at a simulator started here on a clock running 100
 * times faster (DShield and SPUR pace 1/s): the report names what the logs hold, the dry run and the
 * incremental second run spend nothing, every format parses, bad input is reported or refused, and
 * --follow prints sessions as they close until SIGINT (exit 130 once flushed).
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { ScaledClock } from '../clock/index.js';
import { CSV_HEADER } from '../cowrie/index.js';
import { COWRIE_LOGS, COWRIE_SKIP } from '../cowrie/test-data.js';
import { startSimulator } from '../gateway/index.js';
import { billableCalls } from '../gateway/test-support/harness.js';
import type { MockServer } from '../mock/index.js';
import { upstreamUrlEnv } from './commands/mock.js';
import { ensureBuilt, hasScript, runInPty, runVtg, type Sandbox, sandbox, startVtg, transcript } from './test-support/harness.js';

const VT_KEY = 'cli-cowrie-vt-key-5f3a9c0d7e21b4a6-never-printed';
const REPEATED_SHA256 = '3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866';
const SFTP_UPLOADS = ['1a0aa7fcea196af6d24df531da131833b4b13b3e629e15d1b346062d7ec259e6', '48c39ca9e1d9fe8aa989413b70542bfb59ece57304284f9b43b74dbd7d860225'];
const TELNET_URL = 'http://87.242.89.170/ISIS.sh';
const PROVIDERS = ['virustotal', 'urlhaus', 'dshield', 'spur'];

let sim: MockServer;
let box: Sandbox;
let env: NodeJS.ProcessEnv;
let logs: string;
const vtg = (args: string[], timeoutMs?: number) => runVtg(['enrich', 'cowrie', ...args], env, { cwd: box.dir, ...(timeoutMs ? { timeoutMs } : {}) });

/** RFC 4180 rows (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** What the simulator answered per endpoint, without the free quota reads (reconciliation). */
function lookupsByEndpoint(): Record<string, number> {
  return Object.fromEntries(Object.entries(sim.stats().byEndpoint).filter(([endpoint]) => !endpoint.includes('/users/')));
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function lineWith(text: string, needle: string): string {
  const line = text.split('\n').find((l) => l.includes(needle));
  assert.ok(line, `no line mentions ${needle}\n${text.slice(0, 2000)}`);
  return line;
}

before(async () => {
  if (COWRIE_SKIP) return;
  ensureBuilt();
  const clock = new ScaledClock(100);
  sim = await startSimulator({ profile: 'premium', clock });
  box = sandbox();
  logs = join(box.dir, 'logs');
  mkdirSync(logs);
  if (!COWRIE_SKIP) {
    for (const path of [COWRIE_LOGS.kareiva2018, COWRIE_LOGS.pittman2020, COWRIE_LOGS.telnet2023]) copyFileSync(path, join(logs, path.slice(path.lastIndexOf('/') + 1)));
  }
  env = box.env({
    VT_API_KEY: VT_KEY,
    URLHAUS_API_KEY: 'cli-cowrie-urlhaus-key',
    SPUR_API_KEY: 'cli-cowrie-spur-token',
    DSHIELD_EMAIL: 'honeypot@example.org',
    ...upstreamUrlEnv(sim.url),
    VTG_VT_LIMITS: 'minute=1000,day=100000,month=1000000,burst=50',
    VTG_TIME_SCALE: '100',
    VTG_TIME_ANCHOR: String(clock.anchor),
  });
});

after(async () => {
  await sim?.close();
  box?.remove();
});

describe('vtg enrich cowrie', { skip: COWRIE_SKIP }, () => {
  test('--dry-run prints the quota cost per provider, spends nothing and saves no state', async () => {
    const calls = billableCalls(sim);
    const r = await vtg([logs, '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Providers \(dry run: nothing was looked up\)/);
    for (const p of PROVIDERS) assert.match(r.stdout, new RegExp(`^  ${p}: [1-9]\\d* upstream call\\(s\\) needed, 0 cached`, 'm'));
    const json = await vtg([logs, '--dry-run', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { dryRun: boolean; providers: Array<{ provider: string; upstream: number; enabled: boolean }> };
    assert.equal(doc.dryRun, true);
    assert.deepEqual(doc.providers.map((p) => p.provider), PROVIDERS);
    assert.ok(doc.providers.every((p) => p.enabled && p.upstream > 0));
    assert.equal(billableCalls(sim), calls, 'no lookup reached the simulator');
    assert.ok(!existsSync(join(box.dataDir, 'cowrie-state.json')), 'a dry run saves no state');
  });

  test('the summary names the repeated 2018 hash once, the 2020 SFTP uploads and the telnet dropper; a second run reads and spends nothing', async () => {
    const calls = billableCalls(sim);
    const r = await vtg([logs]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(occurrences(r.stdout, REPEATED_SHA256), 1, 'downloaded 14 times in 7 sessions, listed once');
    assert.match(lineWith(r.stdout, REPEATED_SHA256), /\s7\s+\d+\.\d+\.\d+\.\d+.*\s+n3(\s+new)?$/);
    for (const sha of SFTP_UPLOADS) assert.match(lineWith(r.stdout, sha), /eyshcjdmzg(\s+new)?$/);
    assert.match(lineWith(r.stdout, `${TELNET_URL} `), /online\s+malicious/);
    assert.match(r.stdout, /^Input\s+3 file\(s\), 2100 lines, 0 bad/m);
    const spent = billableCalls(sim) - calls;
    assert.ok(spent > 0);
    // the run's own account on stderr matches what the simulator received
    assert.match(r.stderr, new RegExp(`lookups: ${spent} upstream calls, 0 from cache, 0 failed; state saved to `));
    assert.ok(existsSync(join(box.dataDir, 'cowrie-state.json')));

    const before = lookupsByEndpoint();
    const again = await vtg([logs, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const doc = JSON.parse(again.stdout) as { input: { lines: number }; stats: { filesUnchanged: number; bytesRead: number; upstreamCalls: number; sessions: number } };
    assert.equal(doc.input.lines, 0);
    assert.deepEqual([doc.stats.filesUnchanged, doc.stats.bytesRead, doc.stats.sessions, doc.stats.upstreamCalls], [3, 0, 0, 0]);
    assert.deepEqual(lookupsByEndpoint(), before, 'no lookup reached any upstream');
  });

  test('--format csv, --ndjson and --json --out parse; with --no-state everything is read again and answered from the cache', async () => {
    const calls = billableCalls(sim);
    const csv = await vtg([logs, '--no-state', '--format', 'csv']);
    assert.equal(csv.code, 0, csv.stderr);
    const rows = parseCsv(csv.stdout);
    assert.deepEqual(rows[0], CSV_HEADER);
    const col = (name: string) => CSV_HEADER.indexOf(name);
    const url = rows.find((row) => row[col('value')] === TELNET_URL);
    assert.equal(url?.[col('kind')], 'url');
    assert.equal(url?.[col('verdict')], 'malicious');
    assert.equal(rows.filter((row) => row[col('id')] === REPEATED_SHA256).length, 1);

    const nd = await vtg([logs, '--no-state', '--ndjson']);
    assert.equal(nd.code, 0, nd.stderr);
    const sessions = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as { protocol: string; indicators: Array<{ value: string; verdict: string }> });
    assert.equal(sessions.length, 479);
    const telnet = sessions.find((s) => s.protocol === 'telnet' && s.indicators.some((i) => i.value === TELNET_URL));
    assert.ok(telnet, 'the telnet session carries its dropper URL');

    const file = join(box.dir, 'report.json');
    const json = await vtg([logs, '--no-state', '--json', '--out', file]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stdout, '', 'the report went to the file');
    assert.match(json.stderr, /wrote the json report to /);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { totals: { sessions: number; uniqueHashes: number }; stats: { upstreamCalls: number; fromCache: number } };
    assert.deepEqual([doc.totals.sessions, doc.totals.uniqueHashes], [479, 5]);
    assert.equal(doc.stats.upstreamCalls, 0);
    assert.ok(doc.stats.fromCache > 0);
    assert.equal(billableCalls(sim), calls, 'everything was cached by the first run');

    const clash = await vtg([logs, '--format', 'csv', '--json']);
    assert.equal(clash.code, 2);
    assert.match(clash.stderr, /--format csv and --json disagree/);
  });

  test('Ctrl-C during the lookups stops cleanly with exit 130 and saves no state', async (t) => {
    const state = join(box.dir, 'interrupted-state.json');
    // a data dir of its own (nothing cached) and a slow upstream, so the lookups are still running
    sim.setFaults({ latencyMs: 100 });
    try {
      const live = startVtg(['enrich', 'cowrie', logs, '--state', state, '--progress-interval', '0.05'], { ...env, VTG_DATA_DIR: join(box.dir, 'interrupted-data') });
      t.after(() => live.kill('SIGKILL'));
      await live.waitFor((_o, e) => /cowrie lookups: [1-9]\d*\/\d+ done/.test(e));
      live.kill('SIGINT');
      const end = await live.exited;
      assert.equal(end.code, 130, end.stderr);
      assert.match(end.stderr, /interrupted: nothing was saved to the state file; the next run reads these lines again/);
      assert.equal(end.stdout, '', 'no partial report');
      assert.ok(!existsSync(state));
    } finally {
      sim.setFaults({});
    }
  });

  test('junk lines and a log cut mid-line are reported as bad lines; a truncated .gz is an input error', async () => {
    const dir = join(box.dir, 'bad');
    mkdirSync(dir);
    const telnet = readFileSync(COWRIE_LOGS.telnet2023, 'utf8').split('\n');
    writeFileSync(join(dir, 'cowrie.json.2023-12-13'), [...telnet.slice(0, 5), 'this is not json', '{"eventid": "cowrie.session.connect", "bro', '[1,2,3]', ...telnet.slice(5)].join('\n'));
    const pittman = readFileSync(COWRIE_LOGS.pittman2020);
    // the live log as Cowrie leaves it mid-write: its last line has no end yet
    writeFileSync(join(dir, 'cowrie.json'), pittman.subarray(0, pittman.lastIndexOf('\n', pittman.length - 2) + 40));

    const r = await vtg([dir, '--no-state']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Input\s+2 file\(s\), \d+ lines, 4 bad \(1 truncated\)/m);
    assert.match(r.stdout, /cowrie\.json\.2023-12-13:6 malformed: this is not json/);
    assert.match(r.stdout, /cowrie\.json\.2023-12-13:8 not_an_event: \[1,2,3\]/);
    assert.match(r.stdout, /cowrie\.json:\d+ truncated: /);
    const json = JSON.parse((await vtg([dir, '--no-state', '--json'])).stdout) as { input: { badLines: number; truncatedLines: number } };
    assert.deepEqual([json.input.badLines, json.input.truncatedLines], [4, 1]);

    const gz = join(box.dir, 'gz');
    mkdirSync(gz);
    const packed = gzipSync(pittman);
    writeFileSync(join(gz, 'cowrie.json.2020-03-19.gz'), packed.subarray(0, packed.length >> 1));
    const cut = await vtg([gz, '--no-state']);
    assert.equal(cut.code, 2, 'the report is printed, and the exit code says a file was unreadable');
    assert.match(cut.stdout, /^Input\s+1 file\(s\), \d+ lines, \d+ bad \(1 truncated\), 1 unreadable file\(s\)/m);
    assert.match(cut.stderr, /cowrie\.json\.2020-03-19\.gz: .*\(read \d+ lines before that\)/);
  });

  test('a bad path, a corrupt state file, an unknown provider or an unwritable --out exit 2 with a clear message', async () => {
    const missing = await vtg([join(box.dir, 'nope')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope: no such file or directory/);
    const glob = await vtg([join(logs, 'cowrie.json.1999-*')]);
    assert.equal(glob.code, 2);
    assert.match(glob.stderr, /matched no files/);

    const state = join(box.dir, 'corrupt-state.json');
    writeFileSync(state, '{"version": 1, "files": {');
    const corrupt = await vtg([logs, '--state', state]);
    assert.equal(corrupt.code, 2);
    assert.match(corrupt.stderr, /corrupt-state\.json: the Cowrie state file is not valid JSON; move it away to start over/);
    assert.equal(corrupt.stdout, '');

    const provider = await vtg([logs, '--providers', 'virustotal,shodan']);
    assert.equal(provider.code, 2);
    assert.match(provider.stderr, /unknown provider "shodan"/);
    const out = await vtg([logs, '--out', join(box.dir, 'no-such-dir', 'r.txt')]);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /--out .*r\.txt: no such directory/);
    const none = await runVtg(['enrich', 'cowrie'], env);
    assert.equal(none.code, 2, 'paths are required');
  });

  test('progress: plain lines per phase off a terminal', async () => {
    const r = await vtg([logs, '--no-state', '--out', join(box.dir, 'progress.txt'), '--progress-interval', '0.01']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /vtg: cowrie read: [\d.]+ KB\/934\.6 KB done, .*, \d+ lines, 0 bad, \d+ sessions/);
    assert.match(r.stderr, /vtg: cowrie lookups: (\d+)\/\1 done, .*0 upstream calls, 2100 lines, 0 bad/);
  });

  test('progress: a bar per phase on a terminal', { skip: !hasScript() && 'util-linux script is not installed' }, async () => {
    const r = await runInPty(['enrich', 'cowrie', logs, '--no-state', '--out', join(box.dir, 'pty.txt')], env);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /cowrie read [\u2588\u2591]{10,} [\d.]+ KB\/934\.6 KB \|/);
    assert.match(r.stdout, /cowrie lookups [\u2588\u2591]{10,} \d+\/\d+ \| .* \| \d+ upstream calls, 2100 lines, 0 bad/);
  });

  test('--follow prints each session as it closes, across a rotation, and stops with 130 on SIGINT after flushing', async (t) => {
    const dir = join(box.dir, 'live');
    mkdirSync(dir);
    const live = join(dir, 'cowrie.json');
    writeFileSync(live, '');
    const telnet = readFileSync(COWRIE_LOGS.telnet2023, 'utf8').trimEnd().split('\n');
    const half = Math.floor(telnet.length / 2);
    const follower = startVtg(['enrich', 'cowrie', dir, '--follow', '--state', join(box.dir, 'follow-state.json')], env);
    t.after(() => follower.kill('SIGKILL'));
    const records = () =>
      follower
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { session: string; protocol: string; indicators: Array<{ value: string; verdict: string }> });
    await follower.waitFor((_o, e) => e.includes('vtg: following '));
    appendFileSync(live, `${telnet.slice(0, half).join('\n')}\n`);
    await follower.waitFor(() => records().length >= 1);
    // Cowrie rotates: the old file is renamed, a new one is started
    renameSync(live, join(dir, 'cowrie.json.2023-12-13'));
    writeFileSync(live, `${telnet.slice(half).join('\n')}\n`);
    const sessions = new Set(telnet.map((l) => (JSON.parse(l) as { session?: string }).session).filter(Boolean));
    await follower.waitFor(() => records().length >= sessions.size);
    follower.kill('SIGINT');
    const end = await follower.exited;
    assert.equal(end.code, 130, end.stderr);
    assert.match(end.stderr, new RegExp(`stopped following: ${sessions.size} session\\(s\\)`));
    const got = records();
    assert.deepEqual(new Set(got.map((r) => r.session)), sessions, 'every session once');
    assert.equal(got.length, sessions.size);
    const dropper = got.find((r) => r.indicators.some((i) => i.value === TELNET_URL));
    assert.equal(dropper?.protocol, 'telnet');
    assert.equal(dropper?.indicators.find((i) => i.value === TELNET_URL)?.verdict, 'malicious');
  });

  test('with --server it still runs on this machine and says so; help documents it; indicator enrichment still works', async () => {
    const r = await runVtg(['--server', 'http://127.0.0.1:9', 'enrich', 'cowrie', logs, '--dry-run', '--format', 'ndjson'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /enrich cowrie runs on this machine's gateway, not on http:\/\/127\.0\.0\.1:9/);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { provider: string }).provider), PROVIDERS);
    const help = await runVtg(['enrich', 'cowrie', '--help'], env);
    assert.match(help.stdout, /--dry-run/);
    assert.match(help.stdout, /--no-state/);
    assert.match(help.stdout, /Always on this machine/);
    const ioc = await runVtg(['enrich', '8.8.8.8', '--providers', 'dshield', '--json', '--fields', 'indicator,dshield'], env);
    assert.equal(ioc.code, 0, ioc.stderr);
    const [row] = JSON.parse(ioc.stdout) as Array<{ indicator: string; dshield: string }>;
    assert.equal(row?.indicator, '8.8.8.8');
    assert.ok(['malicious', 'suspicious', 'harmless', 'undetected', 'not_found'].includes(row?.dshield ?? ''), `dshield answered: ${row?.dshield}`);
  });

  test('nothing printed contains a key', () => {
    assert.ok(transcript.length > 10);
    for (const text of transcript) assert.ok(!text.includes(VT_KEY) && !text.includes('cli-cowrie-spur-token') && !text.includes('cli-cowrie-urlhaus-key'), text.slice(0, 300));
  });
});
