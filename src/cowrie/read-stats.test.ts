import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_TIME } from './events.js';
import { createReadStats, lineEvent, newFileStats } from './read-stats.js';

function read(text: string, fields: 'all' | 'report' = 'report') {
  const stats = createReadStats();
  const event = lineEvent({ text, start: 0, end: text.length + 1, complete: true, tooLong: false }, 7, newFileStats('f.json', false), stats, { fields });
  return { event, stats };
}

const TS = '2026-03-25T10:00:00.000000Z';
const at = { _file: 'f.json', _line: 7 };
/** A light event also carries the time it read from the line. */
const lightAt = { ...at, [EVENT_TIME]: Date.parse(TS) };

test("with the report's fields, an event the report ignores is read light wherever its eventid stands; the others in full", () => {
  const light = { eventid: 'cowrie.log.closed', session: 's1', timestamp: TS, src_ip: '203.0.113.5', sensor: 'hp1', ...lightAt };
  const tail = `"session":"s1","size":1,"timestamp":"${TS}","src_ip":"203.0.113.5","sensor":"hp1"}`;
  assert.deepEqual(read(`{"eventid":"cowrie.log.closed",${tail}`).event, light, 'Cowrie order, no space');
  assert.deepEqual(read(`{"eventid": "cowrie.log.closed",${tail}`).event, light, 'older Cowrie: a space after the colon');
  assert.deepEqual(read(`{"size":2,"eventid" : "cowrie.log.closed",${tail}`).event, light, 'eventid not first');
  // A report event is parsed in full, every field kept.
  const full = read('{"eventid":"cowrie.login.failed","username":"root","password":"x","session":"s1"}').event;
  assert.deepEqual(full, { eventid: 'cowrie.login.failed', username: 'root', password: 'x', session: 's1', ...at });
  // An escaped or empty eventid is left to JSON.parse, which decodes or refuses it.
  assert.equal((read('{"eventid":"cowrie.log\\u002eclosed","session":"s1"}').event as { eventid: string }).eventid, 'cowrie.log.closed');
  const empty = read('{"eventid":"","session":"s1"}');
  assert.equal(empty.event, undefined);
  assert.equal(empty.stats.badLineSamples[0]?.reason, 'not_an_event');
  assert.equal(read(`{"eventid":"cowrie.log.closed","session":"s1","timestamp":"${TS}"`).stats.badLines, 1, 'a broken line is counted');
});

test('the key exchange and the client version are read light with their one field; anything not plain goes to JSON.parse', () => {
  // an escaped look-alike key inside an algorithm name is not the field
  const kex = `{"eventid":"cowrie.client.kex","kexAlgs":["a\\"hassh\\":\\"no","b"],"hassh":"h1","session":"s1","timestamp":"${TS}"}`;
  assert.deepEqual(read(kex).event, { eventid: 'cowrie.client.kex', hassh: 'h1', session: 's1', timestamp: TS, ...lightAt });
  const noHassh = `{"eventid":"cowrie.client.kex","kexAlgs":["a"],"session":"s1","timestamp":"${TS}"}`;
  assert.deepEqual(read(noHassh).event, { eventid: 'cowrie.client.kex', session: 's1', timestamp: TS, ...lightAt });
  // an escaped version: parsed in full (every field kept), so it is decoded
  const version = `{"eventid":"cowrie.client.version","version":"SSH-2.0-\\"x\\"","session":"s1","timestamp":"${TS}","message":"m"}`;
  assert.deepEqual(read(version).event, { eventid: 'cowrie.client.version', version: 'SSH-2.0-"x"', session: 's1', timestamp: TS, message: 'm', ...at });
  // no timestamp: in full, so the time can come from epoch
  const epoch = '{"eventid":"cowrie.client.version","version":"v","session":"s1","epoch":1774432800}';
  assert.deepEqual(read(epoch).event, { eventid: 'cowrie.client.version', version: 'v', session: 's1', epoch: 1774432800, ...at });
  // a sensor that is not a string: in full
  const sensor = `{"eventid":"cowrie.client.version","version":"v","session":"s1","timestamp":"${TS}","sensor":null}`;
  assert.deepEqual(read(sensor).event, { eventid: 'cowrie.client.version', version: 'v', session: 's1', timestamp: TS, sensor: null, ...at });
  // and with every field read ('all'), nothing is light
  assert.deepEqual(read(kex, 'all').event, { eventid: 'cowrie.client.kex', kexAlgs: ['a"hassh":"no', 'b'], hassh: 'h1', session: 's1', timestamp: TS, ...at });
});
