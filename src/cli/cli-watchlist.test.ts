/**
 * The built `vtg` against a simulator started here: watchlists from the CLI, and `vtg refresh
 * --budget 10 --json` after 30 lookups (5 of them on a watchlist) makes exactly 10 upstream calls,
 * the 5 watchlisted first.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type MockServer, startMock } from '../mock/index.js';
import { ensureBuilt, runVtg, type Sandbox, sandbox } from './test-support/harness.js';

const KEY = 'FAKEKEY-5eed1e55'.repeat(4);

let sim: MockServer;
let box: Sandbox;
let env: NodeJS.ProcessEnv;

const hashes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => createHash('sha256').update(`${prefix}-${i}`).digest('hex'));
const fileLookups = () => sim.stats().byEndpoint['GET /files/{id}'] ?? 0;

before(async () => {
  ensureBuilt();
  sim = await startMock({ profile: 'premium' });
  box = sandbox();
  env = box.env({ VT_API_KEY: KEY, VTG_VIRUSTOTAL_URL: sim.url, VTG_VT_LIMITS: 'minute=100000,hour=1000000,day=1000000,month=10000000' });
});

after(async () => {
  await sim.close();
  box.remove();
});

describe('vtg watchlist and vtg refresh', () => {
  test('refresh --budget 10 --json after 30 lookups, 5 on a watchlist: exactly 10 upstream calls, the 5 watchlisted first', async () => {
    const list = hashes('cli-watch', 30);
    const looked = await runVtg(['lookup', '-', '--json'], env, { input: `${list.join('\n')}\n` });
    assert.equal(looked.code, 0, looked.stderr);
    assert.equal(fileLookups(), 30);

    const watched = [list[1], list[8], list[13], list[21], list[27]] as string[];
    const file = join(box.dir, 'watch.txt');
    writeFileSync(file, `# five of them\n${watched.slice(2).join('\n')}\n`);
    const added = await runVtg(['watchlist', 'add', 'iocs', watched[0] as string, '-', file, '--every', '1d', '--json'], env, { input: `${watched[1]}\n` });
    assert.equal(added.code, 0, added.stderr);
    assert.equal(JSON.parse(added.stdout).added, 5);

    const shown = await runVtg(['watchlist', 'show', 'iocs', '--json'], env);
    assert.equal(JSON.parse(shown.stdout).items.length, 5);
    const listed = await runVtg(['watchlist', 'list'], env);
    assert.match(listed.stdout, /iocs\s+5\s+1d/);

    const dry = await runVtg(['refresh', '--budget', '10', '--dry-run', '--json'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(JSON.parse(dry.stdout).planned.length, 10);
    assert.equal(fileLookups(), 30, 'a dry run makes no call');

    const run = await runVtg(['refresh', '--budget', '10', '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as { calls: number; refreshed: Array<{ id: string; source: string; reason: string; score: number }> };
    assert.equal(fileLookups() - 30, 10, 'exactly 10 upstream calls');
    assert.equal(doc.calls, 10);
    assert.deepEqual(doc.refreshed.slice(0, 5).map((r) => r.id).sort(), [...watched].sort());
    assert.ok(doc.refreshed.slice(5).every((r) => r.source === 'cache'));

    const human = await runVtg(['refresh', '--budget', '2', '--dry-run'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /plan: 2 refreshes for a budget of 2/);

    const forecast = await runVtg(['quota', '--forecast', '--json'], env);
    assert.equal(forecast.code, 0, forecast.stderr);
    const fc = JSON.parse(forecast.stdout) as { pacePerHour: number; windows: Array<{ window: string }>; harvest: { budget: number } };
    assert.ok(fc.pacePerHour > 0, 'the calls above set a pace');
    assert.ok(fc.windows.some((w) => w.window === 'day'));

    const batchFile = join(box.dir, 'batch.txt');
    writeFileSync(batchFile, `${hashes('cli-batch-watch', 3).join('\n')}\n`);
    const batched = await runVtg(['batch', batchFile, '--watchlist', 'from-batch', '--quiet'], env);
    assert.equal(batched.code, 0, batched.stderr);
    assert.equal(JSON.parse((await runVtg(['watchlist', 'show', 'from-batch', '--json'], env)).stdout).items.length, 3);

    const removed = await runVtg(['watchlist', 'remove', 'iocs'], env);
    assert.equal(removed.code, 0);
    const gone = await runVtg(['watchlist', 'show', 'iocs'], env);
    assert.equal(gone.code, 2);
  });
});
