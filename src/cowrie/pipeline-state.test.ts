/**
 * newSinceLastRun through the batch run: what an earlier run with the same state file saw is not
 * new; a dry run neither records nor spends. And reading only what the report needs ('report'
 * fields) builds the very same sessions as parsing every event.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sharedPath, skipWithoutShared } from '../test-support/shared-corpus.js';
import { enrichCowrieLogs } from './pipeline.js';
import { readCowrieLogs } from './reader.js';
import { buildSessions, type CowrieSession } from './sessions.js';
import { openEnv, tempRoot } from './test-env.js';

const { tmp, cleanup } = tempRoot('vtg-cowrie-state-');
after(cleanup);

const TELNET = 'data/cowrie/honeypot-ai__telnet__cowrie.2023-12-13.json';
const NEW_SHA = 'ab'.repeat(32);

test('newSinceLastRun: everything is new the first time; a later run marks only what no earlier run saw', { skip: skipWithoutShared(TELNET) }, async (t) => {
  const env = await openEnv(tmp);
  t.after(() => env.close());
  const statePath = join(env.dir, 'state.json');
  const a = join(mkdtempSync(join(tmp, 'a-')), 'cowrie.json');
  copyFileSync(sharedPath(TELNET) as string, a);
  const first = await enrichCowrieLogs(env.gateway, { paths: [a], statePath });
  assert.ok(first.report.hashes.length > 0 && first.report.urls.length > 0 && first.report.topIps.length > 0);
  for (const x of [...first.report.hashes, ...first.report.urls, ...first.report.topIps]) assert.equal(x.newSinceLastRun, true);

  // Another sensor's copy of the same events, plus one download nobody saw before.
  const b = join(mkdtempSync(join(tmp, 'b-')), 'cowrie.json');
  const lines = readFileSync(sharedPath(TELNET) as string, 'utf8').split('\n').filter(Boolean);
  copyFileSync(sharedPath(TELNET) as string, b);
  const last = JSON.parse(lines.at(-1) as string) as { session: string; timestamp: string };
  appendFileSync(
    b,
    `${JSON.stringify({ eventid: 'cowrie.session.file_download', session: last.session, src_ip: '198.51.100.23', shasum: NEW_SHA, url: 'http://198.51.100.77/new.sh', outfile: `var/lib/cowrie/downloads/${NEW_SHA}`, timestamp: last.timestamp })}\n`,
  );
  const dry = await enrichCowrieLogs(env.gateway, { paths: [b], statePath, dryRun: true });
  assert.equal(dry.report.hashes.find((h) => h.sha256 === NEW_SHA)?.newSinceLastRun, true);
  const second = await enrichCowrieLogs(env.gateway, { paths: [b], statePath });
  const isNew = (rows: Array<{ newSinceLastRun: boolean | null }>) => rows.map((r) => r.newSinceLastRun);
  assert.deepEqual(
    second.report.hashes.map((h) => [h.sha256 === NEW_SHA, h.newSinceLastRun]),
    second.report.hashes.map((h) => [h.sha256 === NEW_SHA, h.sha256 === NEW_SHA]),
  );
  assert.deepEqual(
    isNew(second.report.urls),
    second.report.urls.map((u) => u.url === 'http://198.51.100.77/new.sh'),
  );
  assert.ok(isNew(second.report.topIps).every((x) => x === false));

  // Without a state file there is no "earlier run": null, not false.
  const none = await enrichCowrieLogs(env.gateway, { paths: [b], dryRun: true });
  assert.ok(none.report.hashes.every((h) => h.newSinceLastRun === null));
});

test("reading only the report's fields builds the same sessions as parsing every event", { skip: skipWithoutShared('data/cowrie') }, async () => {
  const dir = sharedPath('data/cowrie') as string;
  const all: CowrieSession[] = [];
  const light: CowrieSession[] = [];
  for await (const s of buildSessions(readCowrieLogs([dir]))) all.push(s);
  for await (const s of buildSessions(readCowrieLogs([dir], { fields: 'report' }))) light.push(s);
  assert.ok(all.length > 1000);
  assert.deepEqual(light, all);
});
