/**
 * One log line to one event, and the counters of a read: shared by the batch reader and the follower.
 *
 * With `fields: 'report'` an event whose id the report does not read (TTY log events, JA4
 * fingerprints, forwarded data, client sizes...) is not JSON-parsed: a search takes its id, session,
 * timestamp, source address, sensor and protocol, which is all a session needs from it. The client's
 * key exchange and version events are read the same way plus their one field (`hassh`, `version`).
 * Such a line must be one object with nothing nested (a `{` inside is a nested object, or two lines
 * run together); a field that is there but not a plain string (escaped, a number, null), or a missing
 * timestamp, sends it to JSON.parse. Inside, such a line is only checked for shape, so a line broken
 * elsewhere (which Cowrie does not write) is kept where JSON.parse would count it. The same report as
 * with JSON.parse for every line is checked on the real logs (read-equivalence.test.ts).
 */
import { type CowrieEvent, KNOWN_EVENT_IDS, REPORT_EVENT_IDS } from './events.js';
import type { RawLine } from './lines.js';

export interface ReadProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  lines: number;
  badLines: number;
}

export type BadLineReason = 'malformed' | 'truncated' | 'too_long' | 'not_an_event';

export interface BadLineSample {
  file: string;
  line: number;
  reason: BadLineReason;
  /** The first 120 characters of the line. */
  preview: string;
}

export interface CowrieFileStats {
  file: string;
  gzip: boolean;
  /** File size (compressed size for gzip). */
  bytesTotal: number;
  /** Bytes of the file consumed in this run. */
  bytesRead: number;
  /** Where this run started (non-zero when resuming). */
  startOffset: number;
  lines: number;
  events: number;
  /** Malformed + truncated + too long + not an event. */
  badLines: number;
  truncatedLines: number;
  /** Unchanged since the last run (gzip done, or nothing new): nothing was read. */
  unchanged: boolean;
  /** Why the file could not be read (fully), if so. */
  error?: string;
}

export interface CowrieReadStats {
  files: CowrieFileStats[];
  lines: number;
  events: number;
  badLines: number;
  truncatedLines: number;
  bytesRead: number;
  /** Event ids not in Cowrie's list, with counts (the events are still passed on). */
  unknownEvents: Record<string, number>;
  /** Files that could not be read to the end. */
  fileErrors: number;
  /** The first few bad lines, for the report. */
  badLineSamples: BadLineSample[];
}

export function createReadStats(): CowrieReadStats {
  return {
    files: [],
    lines: 0,
    events: 0,
    badLines: 0,
    truncatedLines: 0,
    bytesRead: 0,
    unknownEvents: {},
    fileErrors: 0,
    badLineSamples: [],
  };
}


export interface LineOptions {
  /** How many bad lines to keep as samples (default 20). */
  maxBadLineSamples?: number;
  /** 'all' (default): every event fully parsed. 'report': events the report ignores get their id, session, time and address only (see above). */
  fields?: 'all' | 'report';
}

const EVENTID = /"eventid"\s*:\s*"([^"\\]+)"/;

/** A plain-string field a light event carries, as `"name":` and as `"name"`. */
interface Plain {
  name: string;
  key: string;
  quoted: string;
}

const plain = (name: string): Plain => ({ name, key: `"${name}":`, quoted: `"${name}"` });
const SESSION = plain('session');
const TIMESTAMP = plain('timestamp');
const SRC_IP = plain('src_ip');
const SENSOR = plain('sensor');
const PROTOCOL = plain('protocol');

/**
 * The line's event id where Cowrie writes it (the first key, with or without a space), else by a
 * search of the whole line; undefined when neither finds a plain one.
 */
function eventIdOf(text: string): string | undefined {
  const at = text.startsWith('{"eventid":"') ? 12 : text.startsWith('{"eventid": "') ? 13 : -1;
  if (at > 0) {
    const end = text.indexOf('"', at);
    const id = end > at ? text.slice(at, end) : '';
    if (id !== '' && !id.includes('\\')) return id;
  }
  return EVENTID.exec(text)?.[1];
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
  // One backward search for `"name"` settles the common cases: absent (so `"name":` is too), or its
  // last occurrence followed by `:` (then it is also the last `"name":`). Otherwise search for `"name":`.
  const q = text.lastIndexOf(field.quoted);
  if (q < 0) return undefined;
  const k = text.charCodeAt(q + field.quoted.length) === 58 ? q : text.lastIndexOf(field.key);
  if (k < 0) return NOT_PLAIN; // `"name"` is there, never as `"name":`
  if (text.charCodeAt(k - 1) === 92) return NOT_PLAIN;
  let p = k + field.key.length;
  while (text.charCodeAt(p) === 32) p++;
  if (text.charCodeAt(p) !== 34) return NOT_PLAIN;
  const end = text.indexOf('"', p + 1);
  if (end < 0) return NOT_PLAIN;
  const value = text.slice(p + 1, end);
  return value.includes('\\') ? NOT_PLAIN : value;
}

/** The light form of a line whose event the report reads little of, or undefined to parse it in full. */
function lightEvent(text: string): Record<string, unknown> | undefined {
  const eventid = eventIdOf(text);
  if (eventid === undefined) return undefined;
  const one = ONE_FIELD.get(eventid);
  if (one === undefined && REPORT_EVENT_IDS.has(eventid)) return undefined;
  let a = 0;
  while (text.charCodeAt(a) <= 32) a++;
  let b = text.length - 1;
  while (b > a && text.charCodeAt(b) <= 32) b--;
  // One object, nothing nested: a `{` inside is a nested object (whose keys a search would take for
  // the event's) or two lines run together (a write cut short, then the next line).
  if (text.charCodeAt(a) !== 123 || text.charCodeAt(b) !== 125 || text.indexOf('{', a + 1) >= 0) return undefined;
  const extra = one === undefined ? undefined : read(text, one);
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
  const event: Record<string, unknown> = { eventid, timestamp };
  if (extra !== undefined && one !== undefined) event[one.name] = extra;
  if (session !== undefined) event.session = session;
  if (srcIp !== undefined) event.src_ip = srcIp;
  if (sensor !== undefined) event.sensor = sensor;
  if (protocol !== undefined) event.protocol = protocol;
  return event;
}

function blank(text: string): boolean {
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  return (c === 32 || c === 9 || c === 13 || c === 10) && text.trim() === '';
}

/** Parses one line into an event, or says why it is not one. */
export function parseEventLine(text: string): { event: Record<string, unknown> } | { bad: BadLineReason } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { bad: 'malformed' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { bad: 'not_an_event' };
  const eventid = (parsed as Record<string, unknown>).eventid;
  if (typeof eventid !== 'string' || eventid === '') return { bad: 'not_an_event' };
  return { event: parsed as Record<string, unknown> };
}

export function newFileStats(file: string, gzip: boolean): CowrieFileStats {
  return {
    file,
    gzip,
    bytesTotal: 0,
    bytesRead: 0,
    startOffset: 0,
    lines: 0,
    events: 0,
    badLines: 0,
    truncatedLines: 0,
    unchanged: false,
  };
}

/**
 * Handles one line: the event to pass on; undefined for a blank or bad line (counted, consumed);
 * 'pending' for a half-written tail (counted as truncated, not consumed).
 */
export function lineEvent(
  line: RawLine,
  lineNo: number,
  fileStats: CowrieFileStats,
  stats: CowrieReadStats,
  options: LineOptions,
): CowrieEvent | undefined | 'pending' {
  let reason: BadLineReason | undefined;
  if (line.tooLong) reason = 'too_long';
  else if (blank(line.text)) return undefined;
  else {
    const light = options.fields === 'report' && line.complete ? lightEvent(line.text) : undefined;
    const parsed = light ? { event: light } : parseEventLine(line.text);
    if ('event' in parsed) {
      const event = parsed.event as CowrieEvent;
      event._file = fileStats.file;
      event._line = lineNo;
      fileStats.events++;
      stats.events++;
      if (!KNOWN_EVENT_IDS.has(event.eventid)) stats.unknownEvents[event.eventid] = (stats.unknownEvents[event.eventid] ?? 0) + 1;
      return event;
    }
    reason = line.complete ? parsed.bad : 'truncated';
  }
  fileStats.badLines++;
  stats.badLines++;
  if (reason === 'truncated') {
    fileStats.truncatedLines++;
    stats.truncatedLines++;
  }
  if (stats.badLineSamples.length < (options.maxBadLineSamples ?? 20)) {
    stats.badLineSamples.push({ file: fileStats.file, line: lineNo, reason, preview: line.text.slice(0, 120) });
  }
  // A half-written tail is not consumed: the next run reads it again once it is complete.
  return reason === 'truncated' ? 'pending' : undefined;
}

