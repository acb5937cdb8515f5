/**
 * Cowrie JSON events as read from the log, and the tolerant field readers used on them.
 * Events keep every field as logged (old `", "` format, 2026 string durations, lists as messages...).
 */

/**
 * Where the light reader keeps the time it read from the line (see light-event.ts): a symbol, so no
 * field of a parsed line can stand for it.
 */
export const EVENT_TIME: unique symbol = Symbol('cowrie event time');

/** One parsed log line plus where it came from. Unknown event ids are kept. */
export interface CowrieEvent {
  eventid: string;
  session?: string;
  src_ip?: string;
  timestamp?: string;
  [field: string]: unknown;
  /** The file the event was read from (as given or found). */
  _file: string;
  /** 1-based line number in that file. */
  _line: number;
  /** Epoch ms of `timestamp`, when the light reader already read it. */
  [EVENT_TIME]?: number;
}

/** Every event id Cowrie defines (`src/cowrie/core/eventids.py`), plus legacy ids seen in old logs. */
export const KNOWN_EVENT_IDS: ReadonlySet<string> = new Set(
  [
    'abuseipdb.ratelimited',
    'abuseipdb.reportedip',
    'abuseipdb.reportfail',
    'abuseipdb.started',
    'abuseipdb.wakeup',
    'client.fingerprint',
    'client.kex',
    'client.malformed_packet',
    'client.size',
    'client.var',
    'client.version',
    'command.chpasswd',
    'command.failed',
    'command.input',
    'command.success',
    'direct-tcpip.data',
    'direct-tcpip.ja4',
    'direct-tcpip.ja4h',
    'direct-tcpip.redirect',
    'direct-tcpip.request',
    'direct-tcpip.tunnel',
    'tunnelproxy-tcpip.data',
    'greynoise.result',
    'log.closed',
    'log.open',
    'login.failed',
    'login.success',
    'proxy.backend_connect_error',
    'proxy.backend_connected',
    'proxy.backend_disconnected',
    'proxy.client_disconnect',
    'proxy.ssh',
    'reversedns.connect',
    'reversedns.forward',
    'session.closed',
    'session.connect',
    'session.file_download',
    'session.file_download.failed',
    'session.file_upload',
    'session.input',
    'session.params',
    'telnet.error',
    'telnet.exploit_attempt',
    'telnet.exploit_success',
    'telnet.option',
    'urlhaus.submitted',
    'virustotal.scanfile',
    'virustotal.scanurl',
  ].map((id) => `cowrie.${id}`),
);

/** The field as a non-empty string, or undefined. */
export function str(event: Record<string, unknown>, field: string): string | undefined {
  const v = event[field];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** The field as a string, keeping "" (destfile "" means stdin capture, which matters). */
export function rawStr(event: Record<string, unknown>, field: string): string | undefined {
  const v = event[field];
  return typeof v === 'string' ? v : undefined;
}

/** The field as a finite number (numbers or numeric strings), or undefined. */
export function num(event: Record<string, unknown>, field: string): number | undefined {
  const v = event[field];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const D0 = 48; // '0'
let lastDay = '';
let lastDayMs = 0;

/** What `frac` digits of a fraction of a second are divided by to give milliseconds (a table: Math.pow is slow). */
const SCALE = [1, 0.01, 0.1, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - D0;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** `s` holds the last day read at `from` (compared in place: `s` may be a whole log line). */
function sameDay(s: string, from: number): boolean {
  if (lastDay === '') return false;
  for (let i = 0; i < 10; i++) if (s.charCodeAt(from + i) !== lastDay.charCodeAt(i)) return false;
  return true;
}

/**
 * Cowrie's own form, `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, in `s` from `from` to `to`, read without
 * Date.parse (a sixth of the read time otherwise) and without taking it out of `s`; anything else
 * returns undefined and goes to Date.parse.
 */
export function cowrieTimeAt(s: string, from: number, to: number): number | undefined {
  const n = to - from;
  if (n < 20 || s.charCodeAt(to - 1) !== 90 /* Z */ || s.charCodeAt(from + 10) !== 84 /* T */ || s.charCodeAt(from + 13) !== 58 || s.charCodeAt(from + 16) !== 58) {
    return undefined;
  }
  // Same day as the last event (nearly always): no slice, no Date.parse.
  if (!sameDay(s, from)) {
    const day = s.slice(from, from + 10);
    const ms = Date.parse(`${day}T00:00:00Z`);
    if (Number.isNaN(ms)) return undefined;
    lastDay = day;
    lastDayMs = ms;
  }
  const h = digits(s, from + 11, 2);
  const m = digits(s, from + 14, 2);
  const sec = digits(s, from + 17, 2);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60) return undefined;
  let ms = 0;
  if (n > 20) {
    if (s.charCodeAt(from + 19) !== 46 /* . */) return undefined;
    const frac = n - 21;
    if (frac < 1 || frac > 9) return undefined;
    const f = digits(s, from + 20, frac);
    if (f < 0) return undefined;
    ms = Math.floor(f / SCALE[frac]!);
  } else if (n !== 20) return undefined;
  return lastDayMs + h * 3_600_000 + m * 60_000 + sec * 1000 + ms;
}

/** Epoch ms of the event: `timestamp` (ISO-8601), else the optional `epoch` (seconds). */
export function eventTime(event: Record<string, unknown>): number | undefined {
  // The light reader took the time from the line itself (see light-event.ts).
  const read = (event as Partial<CowrieEvent>)[EVENT_TIME];
  if (read !== undefined) return read;
  const ts = event.timestamp;
  if (typeof ts === 'string') {
    const fast = cowrieTimeAt(ts, 0, ts.length);
    if (fast !== undefined) return fast;
    const ms = Date.parse(ts);
    if (!Number.isNaN(ms)) return ms;
  }
  const epoch = num(event, 'epoch');
  return epoch === undefined ? undefined : Math.round(epoch < 1e12 ? epoch * 1000 : epoch);
}

/**
 * Session or TTY duration in ms: `duration_ms` (v3.0.10+), else `duration` as float seconds (to 2024)
 * or as a string of seconds ("2.8", 2026 SSH).
 */
export function durationMs(event: Record<string, unknown>): number | undefined {
  const ms = num(event, 'duration_ms');
  if (ms !== undefined) return Math.round(ms);
  const seconds = num(event, 'duration');
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

/** A valid TCP/UDP port (0 is valid in direct-tcpip events), or undefined. */
export function port(event: Record<string, unknown>, field: string): number | undefined {
  const n = num(event, field);
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** The event ids whose fields the report reads; the others need only their session, time and address. */
export const REPORT_EVENT_IDS: ReadonlySet<string> = new Set(
  [
    'session.connect',
    'session.closed',
    'session.params',
    'session.file_download',
    'session.file_download.failed',
    'session.file_upload',
    'client.version',
    'client.kex',
    'login.success',
    'login.failed',
    'command.input',
    'command.success',
    'direct-tcpip.request',
  ].map((id) => `cowrie.${id}`),
);
