/**
 * Per-session records streamed: each session is handed over with its verdicts once the lookups are
 * done, in the order sessions closed, awaited one at a time, and the report holds none of them.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { enrichCowrieLogs } from './pipeline.js';
import type { SessionRecord } from './report.js';
import { SYNTHETIC_ATTACKERS, SYNTHETIC_SHA256, syntheticCowrieLines } from './test-support/synthetic.js';
import { openEnv, tempRoot } from './test-env.js';

const { tmp, cleanup } = tempRoot('vtg-cowrie-stream-');
after(cleanup);

test('onSession gets every session with its verdicts, in closing order, one at a time; the report keeps none', async (t) => {
  const env = await openEnv(tmp);
  t.after(() => env.close());
  const lines = syntheticCowrieLines({ sessions: 300 });
  const log = join(env.dir, 'cowrie.json');
  writeFileSync(log, `${lines.join('\n')}\n`);
  // What the test expects, read from the log itself: session ids in the order of their close events.
  const closing = lines.map((l) => JSON.parse(l) as { eventid: string; session: string }).filter((e) => e.eventid === 'cowrie.session.closed').map((e) => e.session);

  const records: SessionRecord[] = [];
  let inFlight = 0;
  let overlapped = false;
  const result = await enrichCowrieLogs(env.gateway, {
    paths: [log],
    onSession: async (record) => {
      if (inFlight > 0) overlapped = true;
      inFlight++;
      // a slow writer: the next record waits for this one
      await new Promise((r) => setImmediate(r));
      records.push(record);
      inFlight--;
    },
  });

  assert.equal(overlapped, false, 'records are handed over one at a time');
  assert.deepEqual(
    records.map((r) => r.session),
    closing,
  );
  assert.equal(result.report.sessions.length, 0, 'the report holds no session');
  assert.equal(result.stats.sessions, 300);
  const first = records[0] as SessionRecord;
  assert.equal(first.srcIp, SYNTHETIC_ATTACKERS[0]);
  assert.deepEqual(first.passwords, ['pw0']);
  const verdicts = new Map(first.indicators.map((i) => [i.value, i.verdict]));
  // looked up: a verdict from the providers, never the "unknown" of an indicator the run did not answer
  for (const value of [SYNTHETIC_SHA256, SYNTHETIC_ATTACKERS[0] as string]) {
    assert.ok(verdicts.has(value), `${value} is among the session's indicators`);
    assert.notEqual(verdicts.get(value), 'unknown', value);
  }
  const row = result.report.hashes.find((h) => h.sha256 === SYNTHETIC_SHA256);
  for (const r of records) assert.equal(r.indicators.find((i) => i.value === SYNTHETIC_SHA256)?.verdict, row?.verdict);
});

test('a dry run streams nothing (there are no verdicts to give)', async (t) => {
  const env = await openEnv(tmp);
  t.after(() => env.close());
  const log = join(env.dir, 'cowrie.json');
  writeFileSync(log, `${syntheticCowrieLines({ sessions: 5 }).join('\n')}\n`);
  let called = 0;
  const result = await enrichCowrieLogs(env.gateway, { paths: [log], dryRun: true, onSession: () => void called++ });
  assert.equal(called, 0);
  assert.equal(result.stats.sessions, 5);
});
