import assert from 'node:assert/strict';
import type { AnalysisStats } from '../../providers/types.js';
import { type Observation, observationOf, } from '../index.js';
import { makeReport } from '../test-support/reports.js';
import { openTestStore, storeTest } from '../test-support/engines.js';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
let n = 0;
const open = async () => await openTestStore(`history-${++n}`);

const stats: AnalysisStats = {
  malicious: 40,
  suspicious: 1,
  harmless: 0,
  undetected: 20,
  timeout: 0,
  confirmedTimeout: 0,
  typeUnsupported: 10,
  failure: 0,
  engines: 61,
  total: 71,
};

function obs(id: string, day: number, o: Partial<Observation> = {}): Observation {
  return { provider: 'virustotal', kind: 'file', id, indicator: id, at: T0 + day * DAY, verdict: 'undetected', detections: 0, ...o };
}

storeTest('series returns one indicator oldest first, the most recent `limit` of them, with stats intact', async () => {
  const store = await open();
  try {
    for (let d = 0; d < 5; d++) await store.history.append(obs('aaa', d, { detections: d, stats }));
    await store.history.append(obs('bbb', 9));
    const all = await store.history.series('virustotal', 'file', 'aaa');
    assert.deepEqual(
      all.map((o) => o.detections),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(all[0]?.stats, stats);
    assert.deepEqual(
      (await store.history.series('virustotal', 'file', 'aaa', { limit: 2 })).map((o) => o.at),
      [T0 + 3 * DAY, T0 + 4 * DAY],
    );
    assert.deepEqual(await store.history.series('urlhaus', 'file', 'aaa'), [], 'provider is part of the series key');
  } finally {
    await store.close();
  }
});

storeTest('recent lists any indicator newest first, optionally since a time', async () => {
  const store = await open();
  try {
    await store.history.append(obs('a', 0));
    await store.history.append(obs('b', 2));
    await store.history.append(obs('c', 1));
    assert.deepEqual(
      (await store.history.recent({ limit: 10 })).map((o) => o.id),
      ['b', 'c', 'a'],
    );
    assert.deepEqual(
      (await store.history.recent({ limit: 10, since: T0 + DAY })).map((o) => o.id),
      ['b', 'c'],
    );
    assert.equal((await store.history.recent({ limit: 1 })).length, 1);
  } finally {
    await store.close();
  }
});

storeTest('observe records a change only when the verdict moves, and changes can be listed by indicator', async () => {
  const store = await open();
  try {
    assert.equal(await store.history.observe(obs('x', 0)), null, 'first sighting');
    assert.equal(await store.history.observe(obs('x', 1, { detections: 1 })), null, 'small move');
    const change = await store.history.observe(obs('x', 2, { verdict: 'malicious', detections: 30, threatLabel: 'trojan.mirai' }));
    assert.deepEqual(change?.reasons, ['verdict', 'detections', 'threat_label']);
    assert.deepEqual(change?.from, { verdict: 'undetected', detections: 1, threatLabel: null });
    await store.history.observe(obs('y', 3));
    await store.history.observe(obs('y', 4, { verdict: 'suspicious' }));

    assert.equal((await store.history.series('virustotal', 'file', 'x')).length, 3, 'every observation is kept');
    const listed = await store.history.changes({ limit: 10 });
    assert.deepEqual(
      listed.map((c) => c.id),
      ['y', 'x'],
    );
    assert.deepEqual(listed[1], change);
    assert.deepEqual(
      (await store.history.changes({ limit: 10, id: 'x' })).map((c) => c.at),
      [T0 + 2 * DAY],
    );
    assert.equal((await store.history.changes({ limit: 10, since: T0 + 3 * DAY })).length, 1);
  } finally {
    await store.close();
  }
});

storeTest('history survives a reopen', async () => {
  const name = `history-reopen-${++n}`;
  const a = await openTestStore(name);
  await a.history.observe(obs('z', 0));
  await a.history.observe(obs('z', 1, { verdict: 'malicious', detections: 9 }));
  await a.close();
  const b = await openTestStore(name);
  try {
    assert.equal((await b.history.latest('virustotal', 'file', 'z'))?.verdict, 'malicious');
    assert.equal((await b.history.changes({ limit: 5 })).length, 1);
  } finally {
    await b.close();
  }
});

storeTest('observationOf turns reports into history: not found, then found with detections, is a change', async () => {
  const store = await open();
  try {
    const missing = makeReport({ n: 'r', found: false, verdict: 'not_found', detections: undefined, threatLabel: null, fetchedAt: T0 });
    const found = makeReport({ n: 'r', verdict: 'malicious', detections: undefined, stats, threatLabel: 'trojan.mirai', fetchedAt: T0 + DAY });
    assert.equal(await store.history.observe(observationOf(missing)), null);
    const change = await store.history.observe(observationOf(found));
    assert.deepEqual(change?.to, { verdict: 'malicious', detections: 40, threatLabel: 'trojan.mirai' }, 'detections fall back to stats.malicious');
    assert.deepEqual((await store.history.latest('virustotal', 'file', found.id))?.stats, stats);
  } finally {
    await store.close();
  }
});
