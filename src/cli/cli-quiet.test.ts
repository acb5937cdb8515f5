/**
 * Issue #11 item 13: with -q, stderr is empty unless something failed, for every command (the
 * built `vtg` in mock mode; the mock-mode note is a note too). And `vtg quota` shows each window
 * with used/limit and its own state.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { syntheticCowrieLog } from '../cowrie/test-support/synthetic.js';
import { EICAR_MD5, EICAR_SHA256 } from '../mock/index.js';
import { mockCli, runVtg, startVtg } from './test-support/harness.js';

const cli = mockCli({ cwd: 'sandbox' });
const { vtg } = cli;

/** A tiny download source for `scan fetch` (loopback is allowed through VTG_FETCH_ALLOWLIST). */
let source: Server;
let sourceUrl = '';
before(async () => {
  source = createServer((_req, res) => res.end('quiet sample served over http\n'));
  await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
  sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}/sample.txt`;
});
after(() => new Promise<void>((resolve) => source.close(() => resolve())));

/** Top-level commands `vtg --help` lists (help aside). */
async function commandNames(): Promise<string[]> {
  const help = await vtg(['--help']);
  const block = help.stdout.slice(help.stdout.indexOf('Commands:'), help.stdout.indexOf('\nOutput:'));
  return [...block.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1] as string).filter((c) => c !== 'help');
}

describe('-q', () => {
  test('every command, run as a user would: stderr stays empty, the exit code says it worked', async () => {
    const dir = cli.box.dir;
    const sample = join(dir, 'sample.txt');
    writeFileSync(sample, 'a quiet sample\n');
    const list = join(dir, 'iocs.txt');
    writeFileSync(list, `${EICAR_SHA256}\nexample.com\n8.8.8.8\n`);
    const cowrie = join(dir, 'cowrie.json');
    writeFileSync(cowrie, syntheticCowrieLog({ sessions: 2 }));
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    writeFileSync(join(rules, 'quiet.yar'), 'rule quiet_sample { strings: $a = "quiet" condition: $a }\n');
    const env = { ...cli.env, VTG_FETCH_ALLOWLIST: '127.0.0.1', VTG_YARA_DIR: rules };
    const quiet = (args: string[], input?: string, extra: NodeJS.ProcessEnv = {}) =>
      runVtg([...args, '-q'], { ...env, ...extra }, { cwd: dir, ...(input !== undefined ? { input } : {}) });

    const scanned = await quiet(['scan', 'url', 'http://quiet.example/x.sh', '--json']);
    assert.equal(scanned.code, 0, scanned.stderr);
    const analysisId = (JSON.parse(scanned.stdout) as Array<{ analysisId: string }>)[0]?.analysisId as string;
    assert.ok(analysisId, scanned.stdout);

    const runs: string[][] = [
      ['lookup', 'example.com'],
      ['file', EICAR_MD5],
      ['url', 'http://example.com/q'],
      ['domain', 'example.com'],
      ['ip', '8.8.8.8'],
      ['file', 'relationships'],
      ['file', 'contacted_ips', EICAR_SHA256, '--limit', '2'],
      ['scan', 'file', sample, '--wait'],
      ['scan', 'archive', sample],
      ['scan', 'fetch', sourceUrl],
      ['rescan', EICAR_SHA256],
      ['analysis', analysisId],
      ['yara', 'rules'],
      ['yara', 'test', rules, sample],
      ['batch', list, '--dry-run'],
      ['batch', list],
      ['batch', '--list'],
      ['enrich', 'indicators', '8.8.8.8'],
      ['enrich', 'cowrie', cowrie, '--no-state'],
      ['quota'],
      ['quota', '--all'],
      ['quota', '--forecast'],
      ['cache', 'info'],
      ['cache', 'list'],
      ['cache', 'warm', list],
      ['cache', 'prune'],
      ['cache', 'clear', '8.8.8.8'],
      ['history', EICAR_SHA256],
      ['watchlist', 'add', 'quiet', 'example.com'],
      ['watchlist', 'list'],
      ['watchlist', 'show', 'quiet'],
      ['watchlist', 'remove', 'quiet'],
      ['refresh', '--budget', '1', '--dry-run'],
      ['search'],
      ['related', 'example.com'],
      ['export', '--format', 'csv'],
      ['health'],
      ['providers'],
      ['changes'],
      ['token', 'create', 'quiet', '--role', 'reader'],
      ['token', 'list'],
      ['token', 'revoke', 'quiet'],
      ['completion', 'bash'],
      ['version'],
    ];
    const failures: string[] = [];
    for (const args of runs) {
      const r = await quiet(args);
      if (r.code !== 0 || r.stderr !== '') failures.push(`vtg ${args.join(' ')} -q: exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`);
      if (r.stdout === '' && !['cache', 'token', 'watchlist', 'changes'].includes(args[0] as string)) failures.push(`vtg ${args.join(' ')} -q printed nothing`);
    }
    // config last: the file it writes holds a key (so only these runs read it)
    const config = { VTG_CONFIG: join(dir, 'conf', 'config.json') };
    for (const [args, input] of [[['config', 'path']], [['config', 'init'], `${'ab12'.repeat(16)}\n\n\n\n`], [['config', 'show']]] as Array<[string[], string?]>) {
      const r = await quiet(args, input, config);
      if (r.code !== 0 || r.stderr !== '') failures.push(`vtg ${args.join(' ')} -q: exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`);
    }

    // the ones that run until stopped: serve (its URL is in the JSON log), mock, watch
    const serve = startVtg(['serve', '--port', '0', '-q'], cli.env);
    await serve.waitFor((o) => /"msg":"vt-gateway listening"/.test(o), 60_000);
    serve.kill('SIGTERM');
    const served = await serve.exited;
    if (served.stderr !== '') failures.push(`vtg serve -q: stderr ${JSON.stringify(served.stderr)}`);
    const mock = startVtg(['mock', '--port', '0', '-q'], cli.env);
    await mock.waitFor((o) => /export VTG_VIRUSTOTAL_URL=/.test(o), 60_000);
    mock.kill('SIGTERM');
    const mocked = await mock.exited;
    if (mocked.stderr !== '') failures.push(`vtg mock -q: stderr ${JSON.stringify(mocked.stderr)}`);
    const watched = join(dir, 'watched');
    mkdirSync(watched);
    const watch = startVtg(['watch', watched, '-q'], cli.env);
    // a new file every 2 s until one is scanned (the watcher's start-up time is unknown)
    let n = 0;
    const writer = setInterval(() => writeFileSync(join(watched, `new-${n++}.txt`), `a new file ${n}\n`), 2000);
    await watch.waitFor((o) => o.includes('new-'), 60_000).catch(() => undefined);
    clearInterval(writer);
    watch.kill('SIGINT');
    const watchedRun = await watch.exited;
    if (!watchedRun.stdout.includes('new-')) failures.push('vtg watch -q printed no scan');
    if (watchedRun.stderr !== '') failures.push(`vtg watch -q: stderr ${JSON.stringify(watchedRun.stderr)}`);

    const covered = new Set([...runs.map((a) => a[0]), 'config', 'serve', 'mock', 'watch']);
    assert.deepEqual((await commandNames()).filter((c) => !covered.has(c)), [], 'a command the audit does not run');
    assert.deepEqual(failures, []);

    // something that failed still says so
    const bad = await quiet(['file', 'nothex']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /nothex/);
  });
});

describe('vtg quota', () => {
  test('shows each window (minute, hour, day, month) with used/limit and its own state', async () => {
    // every process starts at the same instant (mid-hour) and time nearly stands still, so the
    // sliding minute still holds the calls however slow the machine is
    const frozen = { VTG_TIME_ANCHOR: String(Date.UTC(2026, 5, 15, 12, 30)), VTG_TIME_SCALE: '0.001' };
    const env = { ...cli.env, ...frozen, VTG_DATA_DIR: join(cli.box.dir, 'quota-data'), VTG_VT_LIMITS: 'minute=4,hour=5,day=100,month=15500' };
    const spent = await runVtg(['lookup', 'a.example', 'b.example', 'c.example', 'd.example', '-q'], env);
    assert.equal(spent.code, 0, spent.stderr);
    const r = await runVtg(['quota'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nstatus +critical\n/);
    assert.match(r.stdout, /\nWINDOW +USED +LIMIT +REMAINING +RESETS +STATUS\n/);
    assert.match(r.stdout, /\nminute +4 +4 +0 +\S+ +\S.* +critical\n/);
    assert.match(r.stdout, /\nhour +4 +5 +1 +\S+ +\S.* +warning\n/);
    assert.match(r.stdout, /\nday +4 +100 +96 +\S+ +\S.* +healthy\n/);
    assert.match(r.stdout, /\nmonth +4 +15500 +15496 +\S+ +\S.* +healthy\n/);
    const json = JSON.parse((await runVtg(['quota', '--json', '-q'], env)).stdout) as { status: string; windows: Array<{ window: string; used: number; limit: number; status: string }> };
    assert.equal(json.status, 'critical');
    assert.deepEqual(
      json.windows.map((w) => [w.window, w.used, w.limit, w.status]),
      [
        ['minute', 4, 4, 'critical'],
        ['hour', 4, 5, 'warning'],
        ['day', 4, 100, 'healthy'],
        ['month', 4, 15500, 'healthy'],
      ],
    );
  });
});
