import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CowrieEvent } from './events.js';
import { followCowrieLog } from './follow.js';
import { createReadStats } from './reader.js';
import { CowrieState } from './state.js';
import { COWRIE_LOGS, COWRIE_SKIP } from './test-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'vtg-cowrie-follow-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const lines = COWRIE_SKIP ? [] : readFileSync(COWRIE_LOGS.prabhath2026, 'utf8').split('\n').filter(Boolean);

/** Pulls events until `count` have arrived (bounded by a deadline so a bug cannot hang the suite). */
async function take(it: AsyncIterator<CowrieEvent>, count: number, deadlineMs = 10_000): Promise<CowrieEvent[]> {
  const out: CowrieEvent[] = [];
  const deadline = Date.now() + deadlineMs;
  while (out.length < count) {
    const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), Math.max(0, deadline - Date.now())).unref());
    const next = await Promise.race([it.next(), timer]);
    if (next === 'late') assert.fail(`only ${out.length} of ${count} events arrived`);
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

test('follows appended lines, then the rotated file to its end, then the new live file', { skip: COWRIE_SKIP }, async () => {
  const dir = mkdtempSync(join(tmp, 'rotate-'));
  const live = join(dir, 'cowrie.json');
  writeFileSync(live, `${lines.slice(0, 3).join('\n')}\n`);
  const controller = new AbortController();
  const stats = createReadStats();
  const rotations: string[] = [];
  const it = followCowrieLog(live, { signal: controller.signal, pollMs: 10, stats, onRotate: (r) => rotations.push(r.previous.file) })[
    Symbol.asyncIterator
  ]();
  try {
    const first = await take(it, 3);
    assert.deepEqual(first.map((e) => e._line), [1, 2, 3]);

    // A line written in two parts is only delivered once complete.
    appendFileSync(live, (lines[3] ?? '').slice(0, 40));
    appendFileSync(live, `${(lines[3] ?? '').slice(40)}\n`);
    const fourth = await take(it, 1);
    assert.equal(fourth[0]?.timestamp, JSON.parse(lines[3] ?? '{}').timestamp);

    // Rotation: the old file gets one last line after the rename, then a new live file appears.
    const rotated = join(dir, 'cowrie.json.2026-03-24');
    renameSync(live, rotated);
    appendFileSync(rotated, `${lines[4]}\n`);
    writeFileSync(live, `${lines.slice(5, 7).join('\n')}\n`);
    const rest = await take(it, 3);
    assert.deepEqual(
      rest.map((e) => e.timestamp),
      lines.slice(4, 7).map((l) => JSON.parse(l).timestamp),
    );
    assert.equal(rest[0]?._line, 5);
    assert.equal(rest[1]?._line, 1);
    assert.deepEqual(rotations, [live]);
    assert.equal(stats.badLines, 0);
  } finally {
    controller.abort();
  }
  const end = await it.next();
  assert.equal(end.done, true);
});

test('with a state, following resumes where the last run stopped', { skip: COWRIE_SKIP }, async () => {
  const dir = mkdtempSync(join(tmp, 'resume-'));
  const live = join(dir, 'cowrie.json');
  writeFileSync(live, `${lines.slice(0, 5).join('\n')}\n`);
  const state = CowrieState.empty(join(dir, 'state.json'));
  const one = new AbortController();
  const it1 = followCowrieLog(live, { signal: one.signal, pollMs: 10, state })[Symbol.asyncIterator]();
  assert.equal((await take(it1, 5)).length, 5);
  one.abort();
  await it1.return?.(undefined);
  await state.save();

  appendFileSync(live, `${lines.slice(5, 7).join('\n')}\n`);
  const two = new AbortController();
  const reloaded = await CowrieState.load(join(dir, 'state.json'));
  const it2 = followCowrieLog(live, { signal: two.signal, pollMs: 10, state: reloaded })[Symbol.asyncIterator]();
  try {
    const got = await take(it2, 2);
    assert.deepEqual(got.map((e) => e._line), [6, 7]);
  } finally {
    two.abort();
    await it2.return?.(undefined);
  }
});

test('startAtEnd skips what is already there', { skip: COWRIE_SKIP }, async () => {
  const dir = mkdtempSync(join(tmp, 'end-'));
  const live = join(dir, 'cowrie.json');
  writeFileSync(live, `${lines.slice(0, 5).join('\n')}\n`);
  const controller = new AbortController();
  const it = followCowrieLog(live, { signal: controller.signal, pollMs: 10, startAtEnd: true })[Symbol.asyncIterator]();
  try {
    const pending = take(it, 1);
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(live, `${lines[5]}\n`);
    const [e] = await pending;
    assert.equal(e?.timestamp, JSON.parse(lines[5] ?? '{}').timestamp);
  } finally {
    controller.abort();
    await it.return?.(undefined);
  }
});
