/**
 * The fast reader (`fields: 'report'`: most lines read by search, see read-stats.ts) and the plain one
 * (JSON.parse of every line) must give the very same report, with its per-session records: same counts, same rows,
 * byte for byte. Checked on the shared real logs (each file, and all of them in one run) and on logs
 * written here: the synthetic sessions and lines built to trip a search (escapes, spacing, repeated
 * keys, a key's text inside a value, numbers and nulls where strings are usual, nested objects,
 * broken lines).
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sharedPath, skipWithoutShared } from '../test-support/shared-corpus.js';
import { IndicatorCollector } from './extract.js';
import { toJson } from './format.js';
import { createReadStats, readCowrieLogs } from './reader.js';
import { buildCowrieReport, ReportAccumulator } from './report.js';
import { SessionBuilder } from './sessions.js';
import { tempRoot } from './test-env.js';
import { syntheticCowrieLines } from './test-support/synthetic.js';

const { tmp, cleanup } = tempRoot('vtg-cowrie-equiv-');
after(cleanup);

/** The report JSON of a batch run over `paths` (no lookups), read one way or the other. */
async function reportJson(paths: string[], fields: 'all' | 'report'): Promise<string> {
  const readStats = createReadStats();
  const builder = new SessionBuilder();
  const collector = new IndicatorCollector();
  const acc = new ReportAccumulator({ keepSessions: true });
  const take = (s: Parameters<typeof acc.add>[0]) => {
    acc.add(s);
    collector.add(s);
  };
  for await (const event of readCowrieLogs(paths, { fields, stats: readStats })) {
    const done = builder.push(event);
    if (done) take(done);
    for (const idle of builder.takeIdle()) take(idle);
  }
  for (const s of builder.flush()) take(s);
  const report = buildCowrieReport({
    sessions: [],
    accumulator: acc,
    indicators: collector.list(),
    results: new Map(),
    readStats,
    extractStats: collector.stats,
    top: 100_000,
    lookedUp: false,
    generatedAt: Date.UTC(2026, 0, 1),
  });
  return toJson(report, { sessions: true });
}

async function assertSame(paths: string[], what: string): Promise<void> {
  const plain = await reportJson(paths, 'all');
  const fast = await reportJson(paths, 'report');
  assert.equal(fast, plain, `${what}: the fast reader's report differs from JSON.parse's`);
}

const S = '"session":"0a1b2c3d4e5f"';
const IP = '"src_ip":"203.0.113.9"';
const T = (s: number) => `"timestamp":"2026-03-25T10:00:${String(s).padStart(2, '0')}.000000Z"`;
const KEX = '"hasshAlgorithms":"curve25519-sha256;aes128-ctr;hmac-sha2-256;none","kexAlgs":["curve25519-sha256"],"keyAlgs":["ssh-ed25519"]';

/** Lines a search could get wrong, in a session that connects, negotiates, logs in and closes. */
const TRICKY = [
  // The session's first event names the protocol (the connect after it does not change it).
  `{"eventid":"cowrie.client.size","width":80,"height":24,"sensor":"s1",${T(0)},${IP},${S},"protocol":"telnet"}`,
  `{"eventid":"cowrie.session.connect",${IP},"src_port":51000,"dst_ip":"192.0.2.1","dst_port":22,${S},"protocol":"ssh","sensor":"s1",${T(0)}}`,
  // Python's default separators, as older Cowrie versions write them.
  `{"eventid": "cowrie.client.version", "version": "SSH-2.0-Go", "message": "Remote SSH version: SSH-2.0-Go", "sensor": "s1", ${T(1)}, "src_ip": "203.0.113.9", "session": "0a1b2c3d4e5f"}`,
  // The text of a key inside a value (escaped quotes).
  `{"eventid":"cowrie.client.kex","hassh":"cccc3333",${KEX},"message":"saw \\"session\\": \\"ffffffffffff\\" and \\"hassh\\":\\"x\\"","sensor":"s1",${T(3)},${IP},${S}}`,
  // A repeated key: JSON.parse keeps the last value (the session keeps its last key exchange's hassh).
  `{"eventid":"cowrie.client.kex","hassh":"aaaa1111","hassh":"bbbb2222",${KEX},"sensor":"s1",${T(2)},${IP},${S}}`,
  `{"eventid":"cowrie.log.open","ttylog":"x","session":"0a1b2c3d4e5f","sensor":"s1",${T(2)},${IP},"session":"777777777777"}`,
  // An escaped value in a field the report reads.
  `{"eventid":"cowrie.client.version","version":"SSH-2.0-\\u0041sync\\/1","sensor":"s1",${T(4)},${IP},${S}}`,
  // A number, a null and a non-ASCII character where strings are usual.
  `{"eventid":"cowrie.client.version","version":20,"sensor":null,${T(5)},${IP},${S}}`,
  `{"eventid":"cowrie.login.failed","username":"r\u00f6ot","password":"p\\"w","sensor":"s1",${T(6)},${IP},${S}}`,
  // No timestamp: the time comes from epoch.
  `{"eventid":"cowrie.direct-tcpip.data","dst_ip":"198.51.100.1","data":"GET / HTTP/1.1","epoch":1774432807,${IP},${S}}`,
  // A nested object whose keys look like the event's.
  `{"eventid":"cowrie.client.var","name":"LANG","extra":{"session":"999999999999","src_ip":"198.51.100.66"},"sensor":"s1",${T(8)},${IP},${S}}`,
  // A key spelled with a space before its colon.
  `{"eventid":"cowrie.log.closed","ttylog":"var/lib/cowrie/tty/x","session" : "0a1b2c3d4e5f","sensor":"s1",${T(9)},${IP}}`,
  // Broken lines: cut short, two glued together, not an object, no eventid.
  `{"eventid":"cowrie.client.kex","hassh":"dddd4444",${KEX},"sensor":"s1",${T(10)},"src_ip":"203.0`,
  `{"eventid":"cowrie.client.kex","hassh":"eeee5555","sen{"eventid":"cowrie.client.size","width":80,"height":24,${T(11)},${IP},${S}}`,
  '["cowrie.client.size"]',
  `{"hassh":"ffff6666",${T(12)},${IP},${S}}`,
  `{"eventid":"cowrie.command.input","input":"echo \\"hi\\" | base64 -d > /tmp/x\\\\","sensor":"s1",${T(13)},${IP},${S}}`,
  `{"eventid":"cowrie.session.closed","duration":"13.2","sensor":"s1",${T(14)},${IP},${S}}`,
];

test('the fast reader and JSON.parse give the same report on lines built to trip a search', async () => {
  const file = join(tmp, 'tricky.json');
  writeFileSync(file, `${TRICKY.join('\n')}\n`);
  await assertSame([file], 'tricky lines');
});

test('the fast reader and JSON.parse give the same report on synthetic sessions', async () => {
  const file = join(tmp, 'synthetic.json');
  writeFileSync(file, `${syntheticCowrieLines({ sessions: 40 }).join('\n')}\n`);
  await assertSame([file], 'synthetic log');
});

const LOGS = 'data/cowrie';
test('the fast reader and JSON.parse give the same report on every shared real log, alone and together', { skip: skipWithoutShared(LOGS) }, async () => {
  const dir = sharedPath(LOGS) as string;
  const names = readdirSync(dir).sort();
  assert.ok(names.length > 0);
  for (const name of names) await assertSame([join(dir, name)], name);
  await assertSame([dir], 'all shared logs');
});
