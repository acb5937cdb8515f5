/**
 * Bounded sessions whatever the log: sessions that never close are closed as unterminated once idle
 * (in log time) for longer than Cowrie's timeouts, and never more than the cap are held. Generated logs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CowrieEvent } from './events.js';
import { ReportAccumulator } from './report-accumulate.js';
import { type CowrieSession, DEFAULT_IDLE_CLOSE_MS, SessionBuilder } from './sessions.js';

const T0 = Date.UTC(2026, 2, 25, 12, 0, 0);
const MIN = 60_000;

function ev(session: string, at: number, eventid = 'cowrie.command.input', extra: Record<string, unknown> = {}): CowrieEvent {
  return { eventid, session, src_ip: '203.0.113.9', timestamp: new Date(at).toISOString(), input: 'uname -a', _file: 'x', _line: 0, ...extra };
}

/** Pushes every event; returns the sessions in the order they were handed over, and the most held open at once. */
function run(builder: SessionBuilder, events: CowrieEvent[]): { out: CowrieSession[]; maxOpen: number } {
  const out: CowrieSession[] = [];
  let maxOpen = 0;
  for (const e of events) {
    const done = builder.push(e);
    if (done) out.push(done);
    out.push(...builder.takeIdle());
    maxOpen = Math.max(maxOpen, builder.openCount);
  }
  out.push(...builder.flush());
  return { out, maxOpen };
}

test('the default idle limit is above Cowrie\'s own 180 s timeouts', () => {
  assert.ok(DEFAULT_IDLE_CLOSE_MS >= 3 * 180_000);
});

test('sessions silent for longer than the limit are closed as unterminated, before the log ends; the report counts them', () => {
  const builder = new SessionBuilder({ idleCloseMs: 10 * MIN });
  const events = [
    ev('aaaaaaaaaaa1', T0),
    ev('aaaaaaaaaaa2', T0 + MIN),
    ev('aaaaaaaaaaa3', T0 + 2 * MIN),
    ev('aaaaaaaaaaa3', T0 + 3 * MIN, 'cowrie.session.closed'),
    // 20 minutes later, someone else: the first two have been idle too long.
    ev('bbbbbbbbbbb1', T0 + 23 * MIN),
    ev('bbbbbbbbbbb1', T0 + 30 * MIN),
  ];
  const { out } = run(builder, events);
  assert.deepEqual(
    out.map((s) => [s.session, s.closed, s.idleClosed ?? false]),
    [
      ['aaaaaaaaaaa3', true, false],
      ['aaaaaaaaaaa1', false, true],
      ['aaaaaaaaaaa2', false, true],
      ['bbbbbbbbbbb1', false, false], // still open when the input ended: flushed, not idle
    ],
  );
  assert.equal(builder.idleClosed, 2);
  const acc = new ReportAccumulator();
  for (const s of out) acc.add(s);
  assert.equal(acc.idleClosedSessions, 2);
  assert.equal(acc.closedSessions, 1);
});

test('a session with an event every few minutes for hours stays open; a late event after an idle close is a fragment', () => {
  const builder = new SessionBuilder({ idleCloseMs: 10 * MIN });
  const events: CowrieEvent[] = [ev('dddddddddddd', T0)];
  for (let i = 0; i <= 24; i++) events.push(ev('cccccccccccc', T0 + i * 5 * MIN));
  events.push(ev('dddddddddddd', T0 + 121 * MIN, 'cowrie.session.file_download', { shasum: 'ab'.repeat(32), url: 'http://198.51.100.7/x' }));
  const { out } = run(builder, events);
  const long = out.filter((s) => s.session === 'cccccccccccc');
  assert.equal(long.length, 1);
  assert.equal(long[0]?.events, 25);
  const d = out.filter((s) => s.session === 'dddddddddddd');
  assert.deepEqual(
    d.map((s) => [s.idleClosed ?? false, s.fragment ?? false, s.downloads.length]),
    [
      [true, false, 0],
      [false, true, 1],
    ],
  );
});

test('a million-session-shaped log: never more than the cap held open, every session handed over once', () => {
  const builder = new SessionBuilder({ maxOpenSessions: 100 });
  const events: CowrieEvent[] = [];
  // 5,000 sessions that never close, a millisecond apart: idleness never ends them, the cap does.
  for (let i = 0; i < 5000; i++) events.push(ev(i.toString(16).padStart(12, '0'), T0 + i, 'cowrie.session.connect'));
  const { out, maxOpen } = run(builder, events);
  assert.ok(maxOpen <= 101, `held ${maxOpen}`);
  assert.equal(out.length, 5000);
  assert.equal(new Set(out.map((s) => s.session)).size, 5000);
  assert.ok(builder.idleClosed >= 4900, String(builder.idleClosed));
});

test('time going back by more than the limit (an older file after a newer one) closes what came before', () => {
  const builder = new SessionBuilder({ idleCloseMs: 10 * MIN });
  const { out } = run(builder, [ev('eeeeeeeeeeee', T0), ev('ffffffffffff', T0 - 24 * 60 * MIN), ev('ffffffffffff', T0 - 24 * 60 * MIN + MIN, 'cowrie.session.closed')]);
  assert.deepEqual(
    out.map((s) => [s.session, s.idleClosed ?? false]),
    [
      ['eeeeeeeeeeee', true],
      ['ffffffffffff', false],
    ],
  );
});
