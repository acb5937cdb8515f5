/**
 * A Cowrie line read for the few fields the session builder uses, without JSON.parse.
 *
 * JSON.parse builds every value of a line: a `cowrie.client.kex` event (two fifths of a typical
 * log's bytes) is six arrays of algorithm names, of which the report reads only `hassh`. This scan
 * walks the line's top-level keys, jumps over the values nobody reads (nested arrays and objects
 * included) and decodes only the wanted ones, each exactly as JSON.parse would (a later duplicate
 * key wins, as there). Anything it does not expect (an escaped key, a broken bracket, a bad literal,
 * text after the object, an eventid that is not a non-empty string) gives `undefined`, and the
 * caller parses the line with JSON.parse, which then judges it. The structure is checked (quotes,
 * brackets, separators, literals) but not each escape or control character inside a skipped string.
 */

/** Every field `SessionBuilder` reads from an event (sessions.ts, events.ts `eventTime`/`durationMs`). */
export const SESSION_FIELDS: readonly string[] = [
  'eventid',
  'session',
  'timestamp',
  'epoch',
  'src_ip',
  'sensor',
  'protocol',
  'src_port',
  'dst_ip',
  'dst_port',
  'version',
  'hassh',
  'arch',
  'username',
  'password',
  'fingerprint',
  'input',
  'url',
  'shasum',
  'outfile',
  'destfile',
  'filename',
  'duration_ms',
  'duration',
];

const WANTED: ReadonlySet<string> = new Set(SESSION_FIELDS);

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;

const LITERAL = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

function ws(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function skipWs(s: string, i: number): number {
  while (i < s.length && ws(s.charCodeAt(i))) i++;
  return i;
}

/** Index of the quote closing the string whose opening quote is at `i`, or -1. */
function stringEnd(s: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q === -1) return -1;
    let b = q - 1;
    while (s.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    from = q + 1;
  }
}

/** Index just past the array or object opening at `i`, or -1. */
function nestedEnd(s: string, i: number): number {
  let depth = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(s, i);
      if (i === -1) return -1;
    } else if (c === LBRACE || c === LBRACKET) depth++;
    else if (c === RBRACE || c === RBRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** Index just past the number or literal starting at `i`. */
function literalEnd(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === COMMA || c === RBRACE || c === RBRACKET || ws(c)) break;
    i++;
  }
  return i;
}

/** The string between quotes `a` and `b`, decoded only when it holds an escape. */
function stringValue(s: string, a: number, b: number): string {
  const raw = s.slice(a + 1, b);
  return raw.includes('\\') ? (JSON.parse(s.slice(a, b + 1)) as string) : raw;
}

/** The line's session fields (see SESSION_FIELDS), or undefined when JSON.parse must judge it. */
export function scanEvent(s: string): Record<string, unknown> | undefined {
  const n = s.length;
  let i = skipWs(s, 0);
  if (s.charCodeAt(i) !== LBRACE) return undefined;
  const event: Record<string, unknown> = {};
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === RBRACE) return undefined; // no eventid
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = s.indexOf('"', i + 1);
    if (keyEnd === -1) return undefined;
    const key = s.slice(i + 1, keyEnd);
    if (key.includes('\\')) return undefined;
    i = skipWs(s, keyEnd + 1);
    if (s.charCodeAt(i) !== COLON) return undefined;
    i = skipWs(s, i + 1);
    const c = s.charCodeAt(i);
    const wanted = WANTED.has(key);
    if (c === QUOTE) {
      const end = stringEnd(s, i);
      if (end === -1) return undefined;
      if (wanted) event[key] = stringValue(s, i, end);
      i = end + 1;
    } else if (c === LBRACE || c === LBRACKET) {
      const end = nestedEnd(s, i);
      if (end === -1) return undefined;
      if (wanted) {
        try {
          event[key] = JSON.parse(s.slice(i, end));
        } catch {
          return undefined;
        }
      }
      i = end;
    } else {
      const end = literalEnd(s, i);
      const text = s.slice(i, end);
      if (!LITERAL.test(text)) return undefined;
      if (wanted) event[key] = JSON.parse(text);
      i = end;
    }
    i = skipWs(s, i);
    const sep = s.charCodeAt(i);
    if (sep === COMMA) {
      i = skipWs(s, i + 1);
      continue;
    }
    if (sep !== RBRACE) return undefined;
    if (skipWs(s, i + 1) !== n) return undefined;
    break;
  }
  const eventid = event.eventid;
  return typeof eventid === 'string' && eventid !== '' ? event : undefined;
}
