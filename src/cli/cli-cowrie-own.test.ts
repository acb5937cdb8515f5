/**
 * `vtg enrich cowrie` on the suite's own synthetic Cowrie log (no ../shared needed), in mock mode:
 * a file with no Cowrie event is refused, a second run over unchanged files says so (and --full
 * reports everything again from the cache), --ndjson streams its records, and --follow ends with 130
 * on Ctrl-C as documented.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SYNTHETIC_SHA256, syntheticCowrieLog } from '../cowrie/test-support/synthetic.js';
import { ensureBuilt, runVtg, type Sandbox, sandbox, startVtg } from './test-support/harness.js';

let box: Sandbox;
let env: NodeJS.ProcessEnv;
let logs: string;
const vtg = (args: string[]) => runVtg(['enrich', 'cowrie', ...args], env, { cwd: box.dir });

before(() => {
  ensureBuilt();
  box = sandbox();
  env = box.env({ VTG_TIME_SCALE: '100' });
  logs = join(box.dir, 'logs');
  mkdirSync(logs);
  writeFileSync(join(logs, 'cowrie.json.2026-03-24'), syntheticCowrieLog({ sessions: 3 }));
});

after(() => {
  box.remove();
});

describe('vtg enrich cowrie on its own synthetic log', () => {
  test('a file with no Cowrie event is refused with exit 2 before any lookup', async () => {
    const readme = join(box.dir, 'README.md');
    writeFileSync(readme, '# A project\n\nSome text.\n\n- a list\n- of lines\n');
    const r = await vtg([readme, '--no-state']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /README\.md: not a Cowrie JSON log/);
    assert.equal(r.stdout, '');
  });

  test('a second run over unchanged files says so; --full reports everything again from the cache', async () => {
    const first = await vtg([logs, '--csv', '-q']);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.stdout.includes(SYNTHETIC_SHA256), first.stdout);
    const second = await vtg([logs, '--csv']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /1 file\(s\) unchanged, nothing new since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    assert.match(second.stderr, /--full/);
    const full = await vtg([logs, '--csv', '--full']);
    assert.equal(full.code, 0, full.stderr);
    assert.ok(full.stdout.includes(SYNTHETIC_SHA256), 'everything reported again');
    assert.match(full.stderr, /0 upstream calls/);
    const after = await vtg([logs, '--csv']);
    assert.match(after.stderr, /nothing new since/, '--full keeps the state file current');
  });

  test('--ndjson streams one record per session, to stdout or --out (the file appears whole, with no temp file left)', async () => {
    const out = await vtg([logs, '--no-state', '--ndjson']);
    assert.equal(out.code, 0, out.stderr);
    const records = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { session: string; passwords: string[] });
    assert.deepEqual(
      records.map((r) => r.passwords),
      [['pw0'], ['pw1'], ['pw2']],
    );
    const file = join(box.dir, 'sessions.ndjson');
    const toFile = await vtg([logs, '--no-state', '--ndjson', '--out', file]);
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.equal(toFile.stdout, '');
    assert.match(toFile.stderr, /wrote the ndjson report to /);
    assert.equal(readFileSync(file, 'utf8'), out.stdout);
    assert.deepEqual(
      readdirSync(box.dir).filter((f) => f.startsWith('sessions.ndjson')),
      ['sessions.ndjson'],
    );
  });

  test('--watchlist puts the hashes found on the list (shown by vtg watchlist show); with --dry-run it is refused', async () => {
    const r = await vtg([logs, '--no-state', '--watchlist', 'honeypot', '--csv']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /watchlist honeypot: 1 added, 0 already there/);
    const show = await runVtg(['watchlist', 'show', 'honeypot', '--json'], env, { cwd: box.dir });
    assert.equal(show.code, 0, show.stderr);
    assert.ok(show.stdout.includes(SYNTHETIC_SHA256), show.stdout);
    const dry = await vtg([logs, '--no-state', '--watchlist', 'honeypot', '--dry-run']);
    assert.equal(dry.code, 2);
    assert.match(dry.stderr, /--watchlist .* does not combine with --dry-run/);
    const bad = await vtg([logs, '--no-state', '--watchlist', 'no spaces']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /a watchlist name is 1\.\.64 letters/);
  });

  test('--follow stopped by Ctrl-C exits 130, as the help and README say', async () => {
    const live = join(box.dir, 'live');
    mkdirSync(live);
    writeFileSync(join(live, 'cowrie.json'), syntheticCowrieLog({ sessions: 1 }));
    const child = startVtg(['enrich', 'cowrie', join(live, 'cowrie.json'), '--follow', '--no-state', '--ndjson'], env);
    await child.waitFor((stdout) => stdout.includes('"session"'));
    child.kill('SIGINT');
    const r = await child.exited;
    assert.equal(r.code, 130, r.stderr);
  });
});
