/** Request ids, and what every finished request leaves behind: metrics and one access-log line. */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppDeps, Principal } from '../types.js';
import type { LogBuffer } from './log-buffer.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Fresh ids keep the UUID shape: a random per-process prefix (the first 24 characters of one UUID)
 * and a 12-hex-digit counter. Unique across processes and restarts, and a tenth of the cost of a
 * randomUUID per request.
 */
const ID_PREFIX = randomUUID().slice(0, 24);
let idCounter = 0;
/** The id's first 33 characters (prefix and the counter's high 9 hex digits), changed every 4096 ids. */
let idHigh = '';
/** The counter's low 3 hex digits. */
const ID_LOW = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));

function freshId(): string {
  const n = ++idCounter;
  const low = n % 4096;
  if (low === 0 || idHigh === '') idHigh = ID_PREFIX + Math.floor(n / 4096).toString(16).padStart(9, '0');
  return idHigh + ID_LOW[low];
}

/** The request's id: the client's X-Request-Id when it is sane, else a fresh one. */
export function requestIdOf(incoming: string | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : freshId();
}

export interface RequestRecord {
  requestId: string;
  method: string;
  path: string;
  route: string;
  status: number;
  seconds: number;
  principal: Principal | undefined;
  errorCode?: string | null;
  /** The path's field as `accessLog.pathJson(path)` gave it, when the caller remembers it per path. */
  pathJson?: string | undefined;
  /** The line's method, path, route and status fields as `accessLog.fields` gave them for this request's, when the caller remembers them. */
  fields?: string | undefined;
}

/**
 * Writes the access-log line of one finished request. `pathJson`, when there, gives a path's field as
 * the line carries it (scrubbed), for a caller that remembers it per path (the fast lookup path).
 */
export type AccessLog = ((r: RequestRecord) => void) & {
  pathJson?: (path: string) => string;
  /** The line's method, path, route and status fields, to remember and pass back as `RequestRecord.fields` (undefined unless ASCII). */
  fields?: (method: string, path: string, route: string, status: number) => string | undefined;
};

/** A one-time upload URL is a credential until used: keep it out of the logs. */
function loggedPath(path: string): string {
  return path.startsWith('/api/v3/_upload/') ? '/api/v3/_upload/[redacted]' : path;
}

const millis = (seconds: number) => Math.round(seconds * 10_000) / 10;

/**
 * `String(millis(seconds))` from integers: formatting a fraction (a double) cost more than the rest of
 * the line. Same text: "0.3", "12", "1234.5".
 */
export function millisText(seconds: number): string {
  const tenths = Math.round(seconds * 10_000);
  if (!(tenths >= 0 && tenths < 0x3fffffff)) return String(tenths / 10);
  const whole = (tenths / 10) | 0;
  const tenth = tenths - whole * 10;
  return tenth === 0 ? `${whole}` : `${whole}.${tenth}`;
}

/** `String(Date.now())`, formatted once per millisecond (a time is not a small integer: formatting it is not cached). */
let lastTime = 0;
let lastTimeText = '0';
function timeText(): string {
  const now = Date.now();
  if (now !== lastTime) {
    lastTime = now;
    lastTimeText = `${now}`;
  }
  return lastTimeText;
}

/** Printable ASCII without `"` and `\`: such a string is its own JSON body. */
const PLAIN = /^[ !#-[\]-~]*$/;
const json = (s: string) => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

const ASCII = /^[\x00-\x7f]*$/;
const NOBODY = { text: '', ascii: true };

/** Route patterns (a fixed table, and 'unmatched') -> their JSON. */
const routeJsonCache = new Map<string, string>();

function routeJson(route: string): string {
  let out = routeJsonCache.get(route);
  if (out === undefined) {
    out = json(route);
    if (routeJsonCache.size < 1024) routeJsonCache.set(route, out);
  }
  return out;
}


/** The access line through a pino logger of the caller's (fields as in `lineAccessLog`). */
export function pinoAccessLog(logger: Logger): AccessLog {
  return (r) => {
    logger.info(
      {
        reqId: r.requestId,
        method: r.method,
        path: loggedPath(r.path),
        route: r.route,
        status: r.status,
        ms: millis(r.seconds),
        ...(r.principal ? { client: r.principal.name, role: r.principal.role } : {}),
      },
      'request',
    );
  };
}

/**
 * The access line as pino would write it (`{"level":30,"time":...,"service":"vt-gateway",...,"msg":"request"}`),
 * built by hand: it is written on every request and pino's generic path costs more than a cache hit.
 * Only when `enabled()` (the service logger's level admits info).
 *
 * The secret scrub of every other log line applies to each field a request can put text into (its id,
 * its path, the token's name), each as the JSON it is written as: the rest of the line is fixed text
 * and numbers, and a secret or token cannot span two fields (it would have to hold the `","` between
 * them). A token's fields are scrubbed once per token.
 */
export function lineAccessLog(out: Pick<LogBuffer, 'write'>, scrub: (line: string) => string, enabled: () => boolean): AccessLog {
  // lines go out batched (see LogBuffer: a stream write per request cost more than the line), each
  // marked ASCII or not (a batch of ASCII only, the usual, is written as latin1)
  /** Principals (frozen, shared by a token's requests) -> their `"client"` and `"role"` fields, scrubbed. */
  const whoFields = new WeakMap<Principal, { text: string; ascii: boolean }>();
  const whoOf = (p: Principal): { text: string; ascii: boolean } => {
    let who = whoFields.get(p);
    if (who === undefined) {
      const text = scrub(`,"client":${json(p.name)},"role":${json(p.role)}`);
      who = { text, ascii: ASCII.test(text) };
      if (Object.isFrozen(p)) whoFields.set(p, who);
    }
    return who;
  };
  const pathJson = (path: string): string => scrub(json(loggedPath(path)));
  // methods come from node's parser: plain by construction
  const fieldsOf = (method: string, path: string, route: string, status: number, pathField = pathJson(path)): string =>
    `"method":"${method}","path":${pathField},"route":${routeJson(route)},"status":${status},"ms":`;
  const log: AccessLog = (r) => {
    if (!enabled()) return;
    const who = r.principal ? whoOf(r.principal) : NOBODY;
    // fields a caller remembers are ASCII (see log.fields)
    const fields = r.fields ?? fieldsOf(r.method, r.path, r.route, r.status, r.pathJson);
    const ascii = who.ascii && (r.fields !== undefined || ASCII.test(fields));
    // request ids pass REQUEST_ID or come from freshId: plain by construction (and the scrub's mark is ASCII)
    out.write(`{"level":30,"time":${timeText()},"service":"vt-gateway","reqId":${scrub(`"${r.requestId}"`)},${fields}${millisText(r.seconds)}${who.text},"msg":"request"}\n`, ascii);
  };
  log.pathJson = pathJson;
  log.fields = (method, path, route, status) => {
    const fields = fieldsOf(method, path, route, status);
    return ASCII.test(fields) ? fields : undefined;
  };
  return log;
}

/** Metrics and the one access-log line of a finished request. */
export function recordRequest(deps: AppDeps, accessLog: AccessLog, r: RequestRecord): void {
  deps.metrics.request(r.method, r.route, r.status, r.seconds);
  if (r.status === 429 || r.status === 503) deps.metrics.rejection(r.errorCode ?? String(r.status));
  accessLog(r);
}
