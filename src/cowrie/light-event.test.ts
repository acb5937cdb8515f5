import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventIdInfo } from './light-event.js';

const line = (id: string, space = false) => `{"eventid":${space ? ' ' : ''}"${id}","session":"s1","timestamp":"2026-03-25T10:00:00.000000Z"}`;

test('event ids that look alike to the cache of recent ones (same length, same letters where it looks) are told apart', () => {
  // Same length, same 8th and last letters: one slot of the cache, checked in place each time.
  const ids = ['cowrie.login.failed', 'cowrie.login.fxiled', 'cowrie.login.failed', 'cowrie.lxgin.failed'];
  for (let round = 0; round < 3; round++) {
    for (const id of ids) {
      const info = eventIdInfo(line(id, round === 1));
      assert.equal(info?.id, id);
      assert.equal(info?.known, id === 'cowrie.login.failed', id);
      assert.equal(info?.full, id === 'cowrie.login.failed', id);
    }
  }
  assert.equal(eventIdInfo(line('cowrie.client.kex'))?.one?.name, 'hassh');
  assert.equal(eventIdInfo(line('cowrie.log.closed'))?.full, false);
  // Not where Cowrie writes it: found by a search; escaped or empty: none (JSON.parse decides).
  assert.equal(eventIdInfo('{"size":1,"eventid" : "cowrie.log.closed"}')?.id, 'cowrie.log.closed');
  assert.equal(eventIdInfo('{"eventid":"cowrie.log\\u002eclosed"}'), undefined);
  assert.equal(eventIdInfo('{"eventid":""}'), undefined);
});

test('one copy of each event id is handed out, whichever line it came from', () => {
  const a = eventIdInfo(line('cowrie.session.connect'))?.id;
  const b = eventIdInfo(`{"eventid": "${'cowrie.session.'}${'connect'}","session":"s2"}`)?.id;
  assert.equal(a, 'cowrie.session.connect');
  assert.ok(a === b);
});
