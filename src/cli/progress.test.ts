import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { CliContext } from './context.js';
import { bytesText } from './format/cowrie.js';
import { etaText } from './format/time.js';
import { createProgress, governorEta } from './progress.js';

function plainContext(): { ctx: CliContext; lines: () => string[] } {
  let err = '';
  const sink = (collect: boolean) =>
    new Writable({
      write(chunk, _enc, done) {
        if (collect) err += String(chunk);
        done();
      },
    });
  const ctx = new CliContext({ stdout: sink(false), stderr: sink(true), stdin: new PassThrough(), env: {} });
  // no timed lines in this test: only first lines, phase changes and the final line print
  ctx.setGlobals({ progressInterval: '3600' });
  return { ctx, lines: () => err.split('\n').filter(Boolean) };
}

test('without a terminal each phase prints how it ended and how the next one starts, in its own unit', () => {
  const { ctx, lines } = plainContext();
  const p = createProgress(ctx, 'cowrie read');
  p.update({ phase: 'cowrie read', done: 512, total: 2048, unit: bytesText, detail: '3 lines, 0 bad' });
  p.update({ phase: 'cowrie read', done: 2048, total: 2048, unit: bytesText, detail: '12 lines, 1 bad' });
  p.update({ phase: 'cowrie lookups', done: 0, total: 5, detail: '0 upstream calls' });
  p.update({ phase: 'cowrie lookups', done: 3, total: 5, detail: '3 upstream calls' });
  p.stop({ phase: 'cowrie lookups', done: 5, total: 5, detail: '4 upstream calls' });
  const shown = lines().map((l) => l.replace(/, [\d.-]+( [KM]?B)?\/s, ETA [^,]+/, ''));
  assert.deepEqual(shown, [
    'vtg: cowrie read: 512 B/2.0 KB done, 3 lines, 0 bad',
    'vtg: cowrie read: 2.0 KB/2.0 KB done, 12 lines, 1 bad',
    'vtg: cowrie lookups: 0/5 done, 0 upstream calls',
    'vtg: cowrie lookups: 5/5 done, 4 upstream calls',
  ]);
});

test('--quiet shows no progress', () => {
  const { ctx, lines } = plainContext();
  ctx.setGlobals({ quiet: true });
  const p = createProgress(ctx, 'batch');
  p.update({ done: 1, total: 2 });
  p.stop({ done: 2, total: 2 });
  assert.deepEqual(lines(), []);
});

test("work that calls upstream shows the governor's ETA for the calls still to make, not its pace", async () => {
  const asked: Array<[string, number, string]> = [];
  const backend = {
    eta: async (provider: string, calls: number, priority: string) => {
      asked.push([provider, calls, priority]);
      return calls === 0 ? 0 : 9_030_000; // 2h30m30s: the quota, not the pace, decides
    },
  };
  let upstream = 0;
  const eta = governorEta(backend, 'virustotal', 'batch', () => upstream);
  // before anything is done every item is assumed to need a call; then the share so far
  assert.equal(await eta({ done: 0, total: 30 }), 9_030_000);
  upstream = 4;
  await eta({ done: 10, total: 30 });
  assert.deepEqual(asked, [
    ['virustotal', 30, 'batch'],
    ['virustotal', 8, 'batch'],
  ]);
  upstream = 0;
  assert.equal(await eta({ done: 10, total: 30 }), 0, 'all answers so far came from the cache');
  const never = governorEta({ eta: async () => Number.POSITIVE_INFINITY }, 'virustotal', 'batch', () => 1);
  assert.equal(await never({ done: 1, total: 3 }), null, 'a key that cannot call: no ETA to show');

  // what the progress line shows
  const { ctx, lines } = plainContext();
  upstream = 4;
  const p = createProgress(ctx, 'lookup', { eta });
  p.update({ done: 10, total: 30 });
  await new Promise((r) => setImmediate(r));
  p.stop({ done: 10, total: 30 });
  assert.match(lines().at(-1) ?? '', new RegExp(`ETA ${etaText(9_030_000).slice(0, 5)}`));
});
