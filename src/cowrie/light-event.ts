/**
 * The light reading of a Cowrie line, for `fields: 'report'`. An event whose id the report does not
 * read (TTY log events, JA4 fingerprints, forwarded data, client sizes...) is not JSON-parsed: a
 * search takes its id, session, timestamp, source address, sensor and protocol, which is all a session
 * needs from it. The client's key exchange and version events are read the same way plus their one
 * field (`hassh`, `version`). Such a line must be one object with nothing nested (a `{` inside is a
 * nested object, or two lines run together); a field that is there but not a plain string (escaped, a
 * number, null), or a missing timestamp sends it to JSON.parse. Inside, such a line is only checked
 * for shape, so a line broken elsewhere, or with its event id twice (Cowrie writes neither), is kept
 * or read where JSON.parse would count it or take the last id. The same report as with JSON.parse for
 * every line is checked on the real logs (read-equivalence.test.ts).
 */
import { type CowrieEvent, KNOWN_EVENT_IDS, REPORT_EVENT_IDS } from './events.js';

/** A plain-string field a light event carries, as `"name":` and as `"name"`. */
interface Plain {
  name: string;
  key: string;
  quoted: string;
  /** The last line searched did not have it (see `lastKey`). */
  absentLast: boolean;
}

const plain = (name: string): Plain => ({ name, key: `"${name}":`, quoted: `"${name}"`, absentLast: false });
const SESSION = plain('session');
const TIMESTAMP = plain('timestamp');
const SRC_IP = plain('src_ip');
const SENSOR = plain('sensor');
const PROTOCOL = plain('protocol');

/** What a line's event id says about reading it. */
export interface EventIdInfo {
  /** One copy of the id for every line that has it. */
  id: string;
  known: boolean;
  /** The report reads more of it than a light event holds: JSON.parse it. */
  full: boolean;
  /** The one field read besides the session's, if any. */
  one: Plain | undefined;
}

/**
 * Report events of which the report reads one plain string field besides the session's: read light
 * too, with that field. These two are half a typical log's bytes (the key exchange lists every
 * algorithm the client offers), and JSON.parse would build all of it for one hash and one version.
 * (Shorter events with more fields, such as connect and close, parse faster than they search.)
 */
const ONE_FIELD: ReadonlyMap<string, Plain> = new Map([
  ['cowrie.client.kex', plain('hassh')],
  ['cowrie.client.version', plain('version')],
]);

const INFO = new Map<string, EventIdInfo>();
/** Ids outside Cowrie's list are remembered up to here (a broken log may hold any number). */
const MAX_INFO = 1000;

/**
 * The engine's one copy of the string (a property name is always that copy). Comparing two such
 * copies is one pointer compare, so the session builder's switch over event ids costs nothing.
 */
const internal = (s: string): string => Object.keys({ [s]: 0 })[0] ?? s;

function infoOf(text: string): EventIdInfo {
  const hit = INFO.get(text);
  if (hit !== undefined) return hit;
  const id = internal(text);
  const one = ONE_FIELD.get(id);
  const info: EventIdInfo = { id, known: KNOWN_EVENT_IDS.has(id), full: one === undefined && REPORT_EVENT_IDS.has(id), one };
  if (INFO.size < MAX_INFO) INFO.set(id, info);
  return info;
}

/** The last ids seen, by a hash of their length and two letters. */
const RECENT: Array<EventIdInfo | undefined> = new Array(64).fill(undefined);

const EVENTID = /"eventid"\s*:\s*"([^"\\]+)"/;

/**
 * The line's event id where Cowrie writes it (the first key, with or without a space), else by a
 * search of the whole line; undefined when neither finds a plain one.
 */
export function eventIdInfo(text: string): EventIdInfo | undefined {
  const at = text.startsWith('{"eventid":"') ? 12 : text.startsWith('{"eventid": "') ? 13 : -1;
  if (at > 0) {
    const end = text.indexOf('"', at);
    if (end > at) {
      // Nearly always one of the last ids seen: found by its length and two letters, and checked in
      // place, without copying the id out of the line and hashing the copy.
      const slot = ((end - at) * 31 + text.charCodeAt(at + 7) * 7 + text.charCodeAt(end - 1)) & (RECENT.length - 1);
      const guess = RECENT[slot];
      if (guess !== undefined && guess.id.length === end - at && text.startsWith(guess.id, at)) return guess;
      const id = text.slice(at, end);
      if (!id.includes('\\')) {
        const info = infoOf(id);
        RECENT[slot] = info;
        return info;
      }
    }
  }
  const m = EVENTID.exec(text)?.[1];
  return m === undefined ? undefined : infoOf(m);
}

/** `read`'s answer when the field is there but not as a plain string. */
const NOT_PLAIN = null;

/**
 * One field's value: undefined when absent, NOT_PLAIN when it is there but not as a plain string
 * (JSON.parse must read the line). The key is searched from the end: Cowrie writes the session's
 * fields last, so that search is short, and a repeated key gives its last value, as with JSON.parse.
 * A key after a backslash (it may be inside a string), a value with a backslash, or a key written
 * another way (`"name" :`) sends the line to JSON.parse.
 */
function read(text: string, field: Plain): string | undefined | typeof NOT_PLAIN {
  return valueAt(text, field, lastKey(text, field));
}

/** Where the last `"name":` starts; -1 when `"name"` is absent, NOT_PLAIN when it is never followed by `:`. */
function lastKey(text: string, field: Plain): number | typeof NOT_PLAIN {
  // A search from the end is short when the field is there, and goes through the whole line (slowly:
  // backward searches are several times slower) when it is not. Lines of a log mostly agree, so after
  // a line without it a forward search says first whether it is there.
  if (field.absentLast && text.indexOf(field.quoted) < 0) return -1;
  // One backward search for `"name"` settles the common cases: absent (so `"name":` is too), or its
  // last occurrence followed by `:` (then it is also the last `"name":`). Otherwise search for `"name":`.
  const q = text.lastIndexOf(field.quoted);
  field.absentLast = q < 0;
  if (q < 0) return -1;
  const k = text.charCodeAt(q + field.quoted.length) === 58 ? q : text.lastIndexOf(field.key);
  return k < 0 ? NOT_PLAIN : k; // `"name"` is there, never as `"name":`
}

/**
 * `read` for a field Cowrie writes near the start of a long line (the key exchange's `hassh`): two
 * forward searches, the second to make sure it is the last, cost less than one search from the end.
 */
function readNearStart(text: string, field: Plain): string | undefined | typeof NOT_PLAIN {
  const q = text.indexOf(field.quoted);
  if (q < 0) return undefined;
  if (text.indexOf(field.quoted, q + 1) >= 0) return read(text, field);
  return valueAt(text, field, text.charCodeAt(q + field.quoted.length) === 58 ? q : NOT_PLAIN);
}

/** The plain string value of the key found at `k` (see `read`). */
function valueAt(text: string, field: Plain, k: number | typeof NOT_PLAIN): string | undefined | typeof NOT_PLAIN {
  if (k === NOT_PLAIN) return NOT_PLAIN;
  if (k < 0) return undefined;
  if (text.charCodeAt(k - 1) === 92) return NOT_PLAIN;
  let p = k + field.key.length;
  while (text.charCodeAt(p) === 32) p++;
  if (text.charCodeAt(p) !== 34) return NOT_PLAIN;
  const end = text.indexOf('"', p + 1);
  if (end < 0) return NOT_PLAIN;
  const value = text.slice(p + 1, end);
  return value.includes('\\') ? NOT_PLAIN : value;
}

/**
 * The light form of a line whose event the report reads little of (`info` from `eventIdInfo`), or
 * undefined to parse it in full.
 */
export function lightEvent(text: string, info: EventIdInfo, file: string, lineNo: number): CowrieEvent | undefined {
  if (info.full) return undefined;
  let a = 0;
  while (text.charCodeAt(a) <= 32) a++;
  let b = text.length - 1;
  while (b > a && text.charCodeAt(b) <= 32) b--;
  // One object, nothing nested: a `{` inside is a nested object (whose keys a search would take for
  // the event's) or two lines run together (a write cut short, then the next line).
  if (text.charCodeAt(a) !== 123 || text.charCodeAt(b) !== 125 || text.indexOf('{', a + 1) >= 0) return undefined;
  const one = info.one;
  const extra = one === undefined ? undefined : readNearStart(text, one);
  if (extra === NOT_PLAIN) return undefined;
  // Without a plain timestamp the time may come from `epoch`: JSON.parse reads the line then.
  const timestamp = read(text, TIMESTAMP);
  if (timestamp === NOT_PLAIN || timestamp === undefined) return undefined;
  const session = read(text, SESSION);
  if (session === NOT_PLAIN) return undefined;
  const srcIp = read(text, SRC_IP);
  if (srcIp === NOT_PLAIN) return undefined;
  const sensor = read(text, SENSOR);
  if (sensor === NOT_PLAIN) return undefined;
  const protocol = read(text, PROTOCOL);
  if (protocol === NOT_PLAIN) return undefined;
  // Named stores (not event[name] = ...): the same few shapes, no keyed store per field.
  const event: CowrieEvent = { eventid: info.id, timestamp, _file: file, _line: lineNo };
  if (extra !== undefined && one !== undefined) event[one.name] = extra;
  if (session !== undefined) event.session = session;
  if (srcIp !== undefined) event.src_ip = srcIp;
  if (sensor !== undefined) event.sensor = sensor;
  if (protocol !== undefined) event.protocol = protocol;
  return event;
}
