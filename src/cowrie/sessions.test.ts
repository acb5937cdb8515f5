import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CowrieEvent } from './events.js';
import { readCowrieLogs } from './reader.js';
import { buildSessions, type CowrieSession, SessionBuilder } from './sessions.js';
import { COWRIE_LOGS, COWRIE_SKIP } from './test-data.js';

async function sessionsOf(path: string): Promise<CowrieSession[]> {
  const out: CowrieSession[] = [];
  for await (const s of buildSessions(readCowrieLogs([path]))) out.push(s);
  return out;
}

function ev(fields: Record<string, unknown>, line = 1): CowrieEvent {
  return { _file: 'test', _line: line, ...fields } as CowrieEvent;
}

test('the 2018 log (old format, float durations, kex in client.version) has 408 sessions', { skip: COWRIE_SKIP }, async () => {
  const sessions = await sessionsOf(COWRIE_LOGS.kareiva2018);
  assert.equal(sessions.length, 408);
  assert.equal(sessions.filter((s) => s.closed).length, 408);
  const first = sessions.find((s) => s.session === '6161e0875959');
  assert.equal(first?.srcIp, '221.194.47.243');
  assert.equal(first?.srcPort, 47569);
  assert.equal(first?.dstPort, 2222);
  assert.equal(first?.protocol, 'ssh');
  assert.equal(first?.clientVersion, 'SSH-2.0-PUTTY');
  assert.equal(first?.durationMs, 1109);
  assert.equal(first?.startAt, Date.parse('2018-06-12T00:00:36.675939Z'));
  const downloads = sessions.flatMap((s) => s.downloads);
  assert.equal(downloads.length, 14);
  assert.equal(new Set(sessions.filter((s) => s.downloads.length > 0).map((s) => s.session)).size, 7);
});

test('the 2026 log with string durations parses into 734 sessions and 6 uploads', { skip: COWRIE_SKIP }, async () => {
  const sessions = await sessionsOf(COWRIE_LOGS.prabhath2026);
  assert.equal(sessions.length, 734);
  const s = sessions.find((x) => x.session === '4617de8b5839');
  assert.equal(s?.durationMs, 2800); // "duration": "2.8"
  assert.equal(s?.hassh, '1f2f2f9b0a736952f743e5490c64c98a');
  assert.deepEqual(s?.logins, [{ username: 'git', password: 'git', success: false, at: Date.parse('2026-03-24T00:06:20.920704Z') }]);
  const uploads = sessions.flatMap((x) => x.uploads);
  assert.equal(uploads.length, 6);
  const redtail = uploads.find((u) => u.filename === 'redtail.x86_64');
  assert.equal(redtail?.sha256, '59c29436755b0778e968d49feeae20ed65f5fa5e35f9f7965b8ed93420db91e5');
  // direct-tcpip events carry src_port 0 and a hostname dst: they must not override the connection's own.
  const forwarded = sessions.find((x) => x.session === '7f57ed735634');
  assert.notEqual(forwarded?.srcPort, 0);
  assert.equal(forwarded?.dstPort, 22);
});

test('the telnet log: sessions have protocol telnet and the ISIS.sh download', { skip: COWRIE_SKIP }, async () => {
  const sessions = await sessionsOf(COWRIE_LOGS.telnet2023);
  assert.equal(sessions.length, 3);
  assert.ok(sessions.every((s) => s.protocol === 'telnet' && s.clientVersion === null));
  const dropper = sessions.find((s) => s.session === '8bf3b3fa2362');
  assert.equal(dropper?.downloads[0]?.url, 'http://87.242.89.170/ISIS.sh');
  assert.equal(dropper?.downloads[0]?.sha256, 'f03b5186bfc5f66608e1505f2a7f386900f54ebb810d7e8f3ac644bcb811bbed');
  assert.equal(dropper?.commands.length, 2);
});

test('the 2023 log: message [] is harmless; redirect capture and failed download are kept apart', { skip: COWRIE_SKIP }, async () => {
  const sessions = await sessionsOf(COWRIE_LOGS.redirect2023);
  const s = sessions.find((x) => x.session === '651b145b8fb8');
  assert.equal(s?.arch, 'linux-x64-lsb');
  assert.equal(s?.downloads.length, 4);
  assert.equal(s?.downloads.filter((d) => d.failed).length, 1);
  const redirect = s?.downloads.find((d) => d.destfile === '/tmp/rootsenpai');
  assert.equal(redirect?.url, undefined);
  assert.equal(redirect?.sha256, '199d11d0fd7043fe9206954ed8bc7b54d1912013a2a71bdf8bb007b71bb490c8');
});

test('sessions still open at the end are flushed with endAt from their last event', { skip: COWRIE_SKIP }, () => {
  const b = new SessionBuilder();
  assert.equal(b.push(ev({ eventid: 'cowrie.session.connect', session: 'aaaaaaaaaaaa', src_ip: '1.2.3.4', src_port: 5555, timestamp: '2026-01-01T00:00:00Z' })), undefined);
  b.push(ev({ eventid: 'cowrie.command.input', session: 'aaaaaaaaaaaa', input: 'uname -a', timestamp: '2026-01-01T00:00:09Z' }));
  const [s] = b.flush();
  assert.equal(s?.closed, false);
  assert.equal(s?.endAt, Date.UTC(2026, 0, 1, 0, 0, 9));
  assert.equal(s?.durationMs, 9000);
  assert.deepEqual(s?.commands, ['uname -a']);
  assert.equal(b.openCount, 0);
});

test('duration_ms (v3.0.10+) is taken as is; events without a session are counted and ignored', { skip: COWRIE_SKIP }, () => {
  const b = new SessionBuilder();
  b.push(ev({ eventid: 'cowrie.abuseipdb.started', timestamp: '2026-01-01T00:00:00Z' }));
  b.push(ev({ eventid: 'cowrie.session.connect', session: 'bbbbbbbbbbbb', timestamp: '2026-01-01T00:00:00Z' }));
  const s = b.push(ev({ eventid: 'cowrie.session.closed', session: 'bbbbbbbbbbbb', duration_ms: 1234, timestamp: '2026-01-01T00:00:05Z' }));
  assert.equal(s?.durationMs, 1234);
  assert.equal(b.sessionless, 1);
});

test('a late event after the close becomes a fragment, so a late download is not lost', { skip: COWRIE_SKIP }, () => {
  const b = new SessionBuilder();
  b.push(ev({ eventid: 'cowrie.session.connect', session: 'cccccccccccc', src_ip: '5.6.7.8', timestamp: '2026-01-01T00:00:00Z' }));
  const closed = b.push(ev({ eventid: 'cowrie.session.closed', session: 'cccccccccccc', duration: 3.5, timestamp: '2026-01-01T00:00:03Z' }));
  assert.equal(closed?.durationMs, 3500);
  b.push(ev({ eventid: 'cowrie.session.file_download', session: 'cccccccccccc', late: true, src_ip: '5.6.7.8', shasum: 'AB'.repeat(32), url: 'http://5.6.7.8/x' }));
  const [fragment] = b.flush();
  assert.equal(fragment?.fragment, true);
  assert.equal(fragment?.downloads[0]?.sha256, 'ab'.repeat(32));
  assert.equal(b.emitted, 1);
});

test('legacy command.success inputs are used only when a session logged no command.input', { skip: COWRIE_SKIP }, () => {
  const b = new SessionBuilder();
  b.push(ev({ eventid: 'cowrie.command.success', session: 'dddddddddddd', input: 'ls' }));
  const legacy = b.push(ev({ eventid: 'cowrie.session.closed', session: 'dddddddddddd' }));
  assert.deepEqual(legacy?.commands, ['ls']);
  b.push(ev({ eventid: 'cowrie.command.input', session: 'eeeeeeeeeeee', input: 'ls' }));
  b.push(ev({ eventid: 'cowrie.command.success', session: 'eeeeeeeeeeee', input: 'ls' }));
  const modern = b.push(ev({ eventid: 'cowrie.session.closed', session: 'eeeeeeeeeeee' }));
  assert.deepEqual(modern?.commands, ['ls']);
});

test('after thousands of closed sessions, open ones, late fragments and the open count stay right, in start order', () => {
  const b = new SessionBuilder({ maxOpenSessions: 50 });
  const at = (n: number) => new Date(Date.UTC(2026, 2, 25) + n * 10).toISOString();
  let t = 0;
  const emitted: string[] = [];
  const push = (fields: Record<string, unknown>) => {
    const done = b.push(ev({ timestamp: at(t++), ...fields }));
    if (done) emitted.push(done.session);
    for (const s of b.takeIdle()) emitted.push(s.session);
  };
  // Enough closed sessions for the builder to tidy its table of open ones more than once.
  for (let i = 0; i < 10_000; i++) {
    push({ eventid: 'cowrie.session.connect', session: `c${i}`, src_ip: '203.0.113.5' });
    push({ eventid: 'cowrie.session.closed', session: `c${i}` });
  }
  assert.equal(emitted.length, 10_000);
  assert.equal(b.openCount, 0);
  push({ eventid: 'cowrie.session.connect', session: 'a' });
  push({ eventid: 'cowrie.login.failed', session: 'c9999', username: 'late' }); // closed last: a fragment
  push({ eventid: 'cowrie.session.connect', session: 'b' });
  push({ eventid: 'cowrie.login.failed', session: 'c5', username: 'late' }); // closed long ago, still remembered
  assert.equal(b.openCount, 4);
  const rest = b.flush();
  assert.deepEqual(
    rest.map((s) => [s.session, s.fragment ?? false, s.logins.length]),
    [
      ['a', false, 0],
      ['c9999', true, 1],
      ['b', false, 0],
      ['c5', true, 1],
    ],
  );
  assert.equal(b.openCount, 0);
  // Past the cap, the sessions that started first are closed as unterminated, the others stay open.
  for (let i = 0; i < 60; i++) push({ eventid: 'cowrie.session.connect', session: `o${i}` });
  assert.deepEqual(emitted.slice(10_000), ['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8', 'o9']);
  assert.equal(b.openCount, 50);
});
