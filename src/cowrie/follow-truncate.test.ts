/**
 * logrotate's copytruncate: the live file is copied away and truncated in place, then Cowrie keeps
 * appending to it. The follower must start again from 0, also when the file has grown back past the
 * old position before it looks again. Generated lines, fake clock: no real-time deadlines.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import type { CowrieEvent } from './events.js';
import { followCowrieLog } from './follow.js';

const tmp = mkdtempSync(join(tmpdir(), 'vtg-cowrie-truncate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function line(n: number, tag: string): string {
  return JSON.stringify({ eventid: 'cowrie.command.input', session: `s${tag}${n}`.padEnd(12, '0'), input: `echo ${tag}-${n}`, timestamp: '2026-03-25T00:00:00.000000Z' });
}
const block = (tag: string, from: number, to: number) => `${Array.from({ length: to - from }, (_, i) => line(from + i, tag)).join('\n')}\n`;

/** Pulls `count` events, advancing the fake clock (one poll at a time) while none is ready. */
async function take(it: AsyncIterator<CowrieEvent>, clock: FakeClock, count: number): Promise<CowrieEvent[]> {
  const out: CowrieEvent[] = [];
  let pending = it.next();
  for (let polls = 0; out.length < count; ) {
    const ready = await Promise.race([pending, new Promise<'wait'>((r) => setImmediate(() => r('wait')))]);
    if (ready === 'wait') {
      assert.ok(polls++ < 200, `only ${out.length} of ${count} events arrived`);
      // Let the follower reach its sleep, then wake it.
      for (let i = 0; i < 50 && clock.pending === 0; i++) await new Promise((r) => setImmediate(r));
      await clock.advance(100);
      continue;
    }
    if (ready.done) break;
    out.push(ready.value);
    if (out.length < count) pending = it.next();
  }
  return out;
}

const inputs = (events: CowrieEvent[]) => events.map((e) => e.input);

test('copytruncate to an empty file: the follower starts again from 0', async () => {
  const live = join(mkdtempSync(join(tmp, 'empty-')), 'cowrie.json');
  writeFileSync(live, block('a', 0, 5));
  const clock = new FakeClock(0);
  const controller = new AbortController();
  const it = followCowrieLog(live, { signal: controller.signal, pollMs: 100, clock })[Symbol.asyncIterator]();
  try {
    assert.deepEqual(inputs(await take(it, clock, 5)), ['echo a-0', 'echo a-1', 'echo a-2', 'echo a-3', 'echo a-4']);
    truncateSync(live, 0);
    appendFileSync(live, block('b', 0, 2));
    const got = await take(it, clock, 2);
    assert.deepEqual(inputs(got), ['echo b-0', 'echo b-1']);
    assert.equal(got[0]?._line, 1);
  } finally {
    controller.abort();
    await it.return?.(undefined);
  }
});

test('copytruncate, and the file grew back past the old position before the next look: read from 0 too', async () => {
  const live = join(mkdtempSync(join(tmp, 'regrown-')), 'cowrie.json');
  writeFileSync(live, block('a', 0, 3));
  const clock = new FakeClock(0);
  const controller = new AbortController();
  const it = followCowrieLog(live, { signal: controller.signal, pollMs: 100, clock })[Symbol.asyncIterator]();
  try {
    assert.equal((await take(it, clock, 3)).length, 3);
    // Truncated, then more new lines than the old file had, all before the follower looks again.
    truncateSync(live, 0);
    appendFileSync(live, block('new', 0, 8));
    const got = await take(it, clock, 8);
    assert.deepEqual(inputs(got), Array.from({ length: 8 }, (_, i) => `echo new-${i}`));
  } finally {
    controller.abort();
    await it.return?.(undefined);
  }
});
