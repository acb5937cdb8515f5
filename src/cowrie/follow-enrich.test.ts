import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { followAndEnrich } from './follow-enrich.js';
import type { SessionRecord } from './report.js';
import { COWRIE_LOGS, COWRIE_SKIP } from './test-data.js';
import { openEnv as openEnvIn, tempRoot, until } from './test-env.js';

const { tmp, cleanup } = tempRoot('vtg-cowrie-pipeline-');
after(cleanup);
const openEnv = (options?: Parameters<typeof openEnvIn>[1]) => openEnvIn(tmp, options);

test('follow mode enriches sessions as they close, across a restart and a rotation, losing and repeating none', { skip: COWRIE_SKIP }, async (t) => {
  const env = await openEnv();
  t.after(() => env.close());
  const logs = mkdtempSync(join(tmp, 'follow-'));
  const live = join(logs, 'cowrie.json');
  const statePath = join(env.dir, 'follow-state.json');
  const telnet = readFileSync(COWRIE_LOGS.telnet2023, 'utf8').split('\n').filter(Boolean);
  const redirect = readFileSync(COWRIE_LOGS.redirect2023, 'utf8').split('\n').filter(Boolean);
  const sessionOf = (line: string) => (JSON.parse(line) as { session: string }).session;
  const closeOrder = (lines: string[]) => lines.filter((l) => l.includes('"cowrie.session.closed"')).map(sessionOf);

  // Lines 1-12: two sessions close, the third (lines 9-16) is still open when following stops.
  writeFileSync(live, `${telnet.slice(0, 12).join('\n')}\n`);
  const first: SessionRecord[] = [];
  const stop1 = new AbortController();
  const run1 = followAndEnrich(env.gateway, { path: live, statePath, signal: stop1.signal, onSession: (r) => void first.push(r) });
  await until(() => first.length >= 2, 'the two closed sessions');
  stop1.abort();
  const stats1 = await run1;
  assert.deepEqual(first.map((r) => r.session), closeOrder(telnet.slice(0, 12)));
  assert.equal(stats1.read.lines, 12, 'the open session was read too');
  // The saved position is the first line of the open session, not the end of what was read.
  const saved = JSON.parse(readFileSync(statePath, 'utf8')) as { files: Record<string, { offset: number; lines: number }> };
  const entry = Object.values(saved.files)[0];
  assert.equal(entry?.lines, 8);
  assert.equal(entry?.offset, Buffer.byteLength(`${telnet.slice(0, 8).join('\n')}\n`));

  // Restart, the rest of the session arrives: it is delivered whole, and nothing is delivered twice.
  const second: SessionRecord[] = [];
  const stop2 = new AbortController();
  const run2 = followAndEnrich(env.gateway, { path: live, statePath, signal: stop2.signal, onSession: (r) => void second.push(r) });
  appendFileSync(live, `${telnet.slice(12).join('\n')}\n`);
  await until(() => second.length >= 1, 'the telnet download session');
  const download = second[0];
  assert.equal(download?.session, '8bf3b3fa2362');
  assert.equal(download?.protocol, 'telnet');
  assert.equal(download?.events, 8);
  assert.equal(download?.commands.length, 2);
  const isis = download?.indicators.find((i) => i.value === 'http://87.242.89.170/ISIS.sh');
  assert.equal(isis?.verdict, 'malicious');
  assert.equal(isis?.providers.urlhaus?.verdict, 'malicious');

  // Cowrie rotates: the new live file is followed from its start.
  renameSync(live, join(logs, 'cowrie.json.2023-12-13'));
  writeFileSync(live, `${redirect.join('\n')}\n`);
  await until(() => second.length >= 6, 'the sessions of the new file');
  stop2.abort();
  const stats2 = await run2;
  assert.deepEqual(
    second.map((r) => r.session),
    ['8bf3b3fa2362', ...closeOrder(redirect)],
  );
  assert.equal(stats2.sessions, 6);
  const dropper = second.find((r) => r.indicators.some((i) => i.value === 'http://94.156.68.152/ah'));
  assert.equal(dropper?.verdict, 'malicious');
  assert.deepEqual(stats2.failures, []);
});
