// Who gets an in-flight slot: per-client shares within each lane, a release frees the slot, and the
// client table stays bounded however many clients come and go; a connection's remembered ticket obeys both.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { Admission, type AdmissionRefusal, type Ticket } from './admission.js';
import { ConnectionMemo } from './connection.js';

const request = (credential: string | undefined, body = false): IncomingMessage =>
  ({
    method: body ? 'POST' : 'GET',
    headers: { ...(credential ? { authorization: credential } : {}), ...(body ? { 'content-length': '10' } : {}) },
    socket: { remoteAddress: '127.0.0.1' },
  }) as unknown as IncomingMessage;

const isTicket = (t: Ticket | AdmissionRefusal): t is Ticket => !('status' in t);

test('a client holds at most its share of a lane; a release frees its slot; lanes do not share slots', () => {
  const admission = new Admission({ maxInFlight: 8, maxBodiesInFlight: 4, perClientShare: 0.25 });
  const a = [admission.admit(request('Bearer a'), '/api/files/x'), admission.admit(request('Bearer a'), '/api/files/x')];
  assert.ok(a.every(isTicket));
  const third = admission.admit(request('Bearer a'), '/api/files/x');
  assert.ok(!isTicket(third) && third.status === 429 && third.code === 'TooManyInFlight', 'two of eight is the share');
  assert.match((third as AdmissionRefusal).message, /already has 2 requests in flight/);
  assert.ok(isTicket(admission.admit(request('Bearer b'), '/api/files/x')), 'another client is served');
  assert.ok(isTicket(admission.admit(request('Bearer a', true), '/api/scan/file')), 'the body lane has its own share');
  admission.release(a[0] as Ticket);
  assert.ok(isTicket(admission.admit(request('Bearer a'), '/api/files/x')), 'a released slot is free again');
  assert.deepEqual(admission.inFlight, { reads: 3, bodies: 1 });
  assert.deepEqual(admission.clients(), { reads: { inFlight: 2, tracked: 2 }, bodies: { inFlight: 1, tracked: 1 } });
  // health is always admitted and holds nothing
  const health = admission.admit(request(undefined), '/api/health');
  assert.ok(isTicket(health));
  admission.release(health as Ticket);
  assert.deepEqual(admission.inFlight, { reads: 3, bodies: 1 });
});

test('a full lane answers 503; the client table stays bounded as thousands of clients come and go', () => {
  const admission = new Admission({ maxInFlight: 4, maxBodiesInFlight: 4, perClientShare: 1 });
  const held = [1, 2, 3, 4].map((i) => admission.admit(request(`Bearer held-${i}`), '/api/files/x'));
  assert.ok(held.every(isTicket));
  const full = admission.admit(request('Bearer late'), '/api/files/x');
  assert.ok(!isTicket(full) && full.status === 503 && full.code === 'Overloaded');
  admission.release(held[3] as Ticket);
  for (let i = 0; i < 5000; i++) {
    const t = admission.admit(request(`Bearer passing-${i}`), '/api/files/x');
    assert.ok(isTicket(t), `client ${i}`);
    admission.release(t);
  }
  assert.deepEqual(admission.inFlight, { reads: 3, bodies: 0 });
  const clients = admission.clients();
  assert.equal(clients.reads.inFlight, 3, 'the clients still in flight kept their slots through the sweeps');
  assert.ok(clients.reads.tracked <= 1024, `bounded: ${clients.reads.tracked}`);
  // the held clients' counts survived the sweeps: each is still at its share
  const again = admission.admit(request('Bearer held-1'), '/api/files/x');
  assert.ok(isTicket(again), 'share is 4 of 4');
});

test("a connection's remembered ticket counts like a fresh one: the share holds, and a sweep of the table voids it", () => {
  const admission = new Admission({ maxInFlight: 4, maxBodiesInFlight: 4, perClientShare: 0.5 });
  const memo = new ConnectionMemo();
  const first = admission.admit(request('Bearer a'), '/api/files/x', memo);
  const second = admission.admit(request('Bearer a'), '/api/files/x', memo);
  assert.ok(isTicket(first) && isTicket(second));
  assert.equal(second, first, 'the same credential on the same connection reuses the ticket');
  const third = admission.admit(request('Bearer a'), '/api/files/x', new ConnectionMemo());
  assert.ok(!isTicket(third) && third.code === 'TooManyInFlight', 'two of four is the share, whichever connection asks');
  admission.release(first as Ticket);
  admission.release(second as Ticket);
  assert.deepEqual(admission.inFlight, { reads: 0, bodies: 0 });
  const other = admission.admit(request('Bearer b'), '/api/files/x', memo);
  assert.ok(isTicket(other) && other !== first && other.client === 'Bearer b', 'another credential on the connection: its own ticket');
  admission.release(other as Ticket);
  // a sweep drops idle clients (b, now idle, among them): the remembered ticket names a dropped entry
  for (let i = 0; i < 1100; i++) admission.release(admission.admit(request(`Bearer passing-${i}`), '/api/files/x') as Ticket);
  const afterSweep = admission.admit(request('Bearer b'), '/api/files/x', memo);
  assert.ok(isTicket(afterSweep) && afterSweep !== other, 'not reused after a sweep');
  const elsewhere = admission.admit(request('Bearer b'), '/api/files/x', new ConnectionMemo());
  assert.ok(isTicket(elsewhere) && elsewhere.held === afterSweep.held, 'one entry per client in the table');
});
