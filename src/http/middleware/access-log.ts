/** Request ids, and what every finished request leaves behind: metrics and one access-log line. */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppDeps, Principal } from '../types.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Fresh ids keep the UUID shape: a random per-process prefix (the first 24 characters of one UUID)
 * and a 12-hex-digit counter. Unique across processes and restarts, and a tenth of the cost of a
 * randomUUID per request.
 */
const ID_PREFIX = randomUUID().slice(0, 24);
let idCounter = 0;

/** The request's id: the client's X-Request-Id when it is sane, else a fresh one. */
export function requestIdOf(incoming: string | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : ID_PREFIX + (++idCounter).toString(16).padStart(12, '0');
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
}

/** Writes the access-log line of one finished request. */
export type AccessLog = (r: RequestRecord) => void;

/** A one-time upload URL is a credential until used: keep it out of the logs. */
function loggedPath(path: string): string {
  return path.startsWith('/api/v3/_upload/') ? '/api/v3/_upload/[redacted]' : path;
}

const millis = (seconds: number) => Math.round(seconds * 10_000) / 10;

/** Printable ASCII without `"` and `\`: such a string is its own JSON body. */
const PLAIN = /^[ !#-[\]-~]*$/;
const json = (s: string) => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

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

/** Principals (frozen, shared by a token's requests) -> their `"client"` and `"role"` fields. */
const whoFields = new WeakMap<Principal, string>();

function whoOf(p: Principal): string {
  let who = whoFields.get(p);
  if (who === undefined) {
    who = `,"client":${json(p.name)},"role":${json(p.role)}`;
    if (Object.isFrozen(p)) whoFields.set(p, who);
  }
  return who;
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
 * The line goes through the same secret scrub as every other log line, and only when `enabled()` (the
 * service logger's level admits info).
 */
export function lineAccessLog(stream: NodeJS.WritableStream, scrub: (line: string) => string, enabled: () => boolean): AccessLog {
  // lines of one event-loop turn go out in one write (a stream write per request cost more than the line)
  let pending = '';
  const flush = () => {
    const out = pending;
    pending = '';
    if (out) stream.write(out);
  };
  const write = (line: string) => {
    if (pending === '') setImmediate(flush);
    pending += line;
  };
  const log: AccessLog = (r) => {
    if (!enabled()) return;
    const who = r.principal ? whoOf(r.principal) : '';
    // request ids come from requestIdOf and methods from node's parser: both plain by construction
    const line =
      `{"level":30,"time":${Date.now()},"service":"vt-gateway","reqId":"${r.requestId}","method":"${r.method}",` +
      `"path":${json(loggedPath(r.path))},"route":${routeJson(r.route)},"status":${r.status},"ms":${millis(r.seconds)}${who},"msg":"request"}\n`;
    write(scrub(line));
  };
  return log;
}

/** Metrics and the one access-log line of a finished request. */
export function recordRequest(deps: AppDeps, accessLog: AccessLog, r: RequestRecord): void {
  deps.metrics.request(r.method, r.route, r.status, r.seconds);
  if (r.status === 429 || r.status === 503) deps.metrics.rejection(r.errorCode ?? String(r.status));
  accessLog(r);
}
