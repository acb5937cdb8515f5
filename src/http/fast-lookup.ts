/**
 * The hot path: `GET /api/{files,domains,ip_addresses,urls}/{id}`, answered straight on node:http
 * without the framework's Request/Response objects (they cost more than a cache hit itself). It is
 * the same lookup: the same authentication, query schema, budget rules, serialization, error
 * bodies, access log and metrics, through the same functions. Anything it does not recognise
 * (other methods, percent-encoded ids, a query it cannot validate, a refused token) goes on to the
 * routed app, which gives the full answer.
 *
 * It adds no listener per request: the server's one 'close' listener aborts the request's signal,
 * kept on the response (`GatewayResponse.watched`), when the client goes away (see server.ts).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { LookupResult } from '../gateway/index.js';
import type { Indicator, IndicatorKind } from '../indicators/index.js';
import { lookupAs } from './budget.js';
import { renderError } from './error-response.js';
import { indicatorOfKind } from './indicator-input.js';
import { type AccessLog, recordRequest, requestIdOf } from './middleware/access-log.js';
import { authenticateOnConnection } from './middleware/auth.js';
import type { ConnectionMemo } from './middleware/connection.js';
import type { RequestSignal } from './middleware/deadlines.js';
import { GatewayResponse } from './response.js';
import { lookupOptionsOf, lookupQuery } from './schemas.js';
import { lookupResultParts } from './serialize.js';
import type { AppDeps, Principal } from './types.js';

/** The fast path's collections, by path prefix; the id is what follows. */
const COLLECTIONS: ReadonlyArray<{ prefix: string; kind: IndicatorKind; route: string }> = [
  { prefix: '/api/files/', kind: 'file', route: '/api/files/:hash' },
  { prefix: '/api/domains/', kind: 'domain', route: '/api/domains/:domain' },
  { prefix: '/api/ip_addresses/', kind: 'ip', route: '/api/ip_addresses/:ip' },
  { prefix: '/api/urls/', kind: 'url', route: '/api/urls/:id' },
];
/** An id as the fast path takes it (1 to 2048 of these characters; a bounded `{1,2048}` pattern cost more than the rest of the match). */
const ID = /^[A-Za-z0-9._:-]+$/;
const ID_MAX = 2048;

function collectionOf(path: string): (typeof COLLECTIONS)[number] | undefined {
  for (const c of COLLECTIONS) if (path.startsWith(c.prefix)) return c;
  return undefined;
}

/**
 * What a lookup path names, remembered per path once its id parsed: the collection, the indicator
 * (frozen, shared) and the path's access-log field. A hot path then costs one map read instead of
 * matching the collection, checking and parsing the id and escaping and scrubbing the path again.
 */
interface Target {
  kind: IndicatorKind;
  route: string;
  indicator: Indicator;
  pathJson: string | undefined;
  /** The access line's method, path, route and status fields of a 200 answer. */
  fields200: string | undefined;
}
const TARGETS_MAX = 4096;

const NO_QUERY = lookupQuery.safeParse({});
const NO_QUERY_OPTIONS = NO_QUERY.success ? lookupOptionsOf(NO_QUERY.data) : {};

/** Lets the server abort `request` when the client goes away before the answer is written. */
export function watchRequest(res: ServerResponse, request: RequestSignal): void {
  if (res instanceof GatewayResponse) res.watched = request;
}


function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * False: not a fast request (the app answers it). 'answered': answered before returning (a memory
 * hit, or a refusal). 'pending': the lookup is under way and answers when it settles.
 */
export type FastHandler = (req: IncomingMessage, res: ServerResponse, memo: ConnectionMemo) => false | 'answered' | 'pending';

/** What a fast request needs once its lookup settles. */
interface Pending {
  deps: AppDeps;
  accessLog: AccessLog;
  res: ServerResponse;
  /** Made only when the answer is not in memory (a lookup that may wait). */
  request: RequestSignal | undefined;
  requestId: string;
  path: string;
  route: string;
  principal: Principal;
  started: number;
  target: Target | undefined;
}

function record(p: Pending, status: number, errorCode: string | null): void {
  const target = p.target;
  recordRequest(p.deps, p.accessLog, {
    requestId: p.requestId,
    method: 'GET',
    path: p.path,
    route: p.route,
    status,
    seconds: (performance.now() - p.started) / 1000,
    principal: p.principal,
    errorCode,
    pathJson: target?.pathJson,
    fields: status === 200 ? target?.fields200 : undefined,
  });
}

function answered(p: Pending, result: LookupResult): void {
  p.request?.done();
  const { res } = p;
  if (!res.headersSent && !res.destroyed) {
    const [head, report, headBytes] = lookupResultParts(result);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': headBytes + report.length,
      'x-request-id': p.requestId,
      'x-vtg-source': result.source,
    });
    // the envelope (a string) joins the status line and headers; the cached report bytes follow: one writev.
    // An envelope of ASCII only (as many bytes as characters) goes out as latin1, the same bytes: node
    // then copies the joined string straight into the write instead of flattening and measuring it for UTF-8
    res.cork();
    res.write(head, headBytes === head.length ? 'latin1' : 'utf8');
    res.end(report);
  }
  record(p, 200, null);
}

function failed(p: Pending, err: unknown): void {
  p.request?.done();
  const r = renderError(p.path, err, p.deps.logger, p.requestId);
  const { res } = p;
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(r.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body), 'x-request-id': p.requestId, ...r.headers });
    res.end(r.body);
  }
  record(p, r.status, r.headers['X-VTG-Error'] ?? null);
}

export function createFastLookup(deps: AppDeps, accessLog: AccessLog): FastHandler {
  const targets = new Map<string, Target>();
  const remember = (path: string, target: Target) => {
    if (targets.size >= TARGETS_MAX) targets.delete(targets.keys().next().value as string);
    targets.set(path, target);
  };
  return (req, res, memo) => {
    const url = req.url;
    if (req.method !== 'GET' || !url) return false;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    // the connection's previous lookup path, again (a client polling one object): no map read
    const target = path === memo.path ? (memo.target as Target) : targets.get(path);
    let id = '';
    let kind: IndicatorKind;
    let route: string;
    if (target) {
      kind = target.kind;
      route = target.route;
    } else {
      const collection = collectionOf(path);
      if (!collection) return false;
      id = path.slice(collection.prefix.length);
      if (id.length > ID_MAX || !ID.test(id)) return false;
      kind = collection.kind;
      route = collection.route;
    }
    const parsedQuery = q < 0 ? NO_QUERY : lookupQuery.safeParse(Object.fromEntries(new URLSearchParams(url.slice(q + 1))));
    if (!parsedQuery.success) return false;
    const headers = req.headers;
    const started = performance.now();
    let principal: Principal;
    try {
      const authorization = headers.authorization;
      const known = authenticateOnConnection(memo, authorization, (name) => headerOf(headers, name), deps, 'reader', 'api', started);
      if (known === undefined) return false; // not remembered: the app authenticates (and remembers it)
      principal = known as Principal;
    } catch {
      return false; // the app renders the refusal
    }
    const requestId = headers['x-request-id'];
    const pending: Pending = {
      deps,
      accessLog,
      res,
      request: undefined,
      requestId: requestIdOf(typeof requestId === 'string' ? requestId : undefined),
      path,
      route,
      principal,
      started,
      target,
    };
    const options = q < 0 ? NO_QUERY_OPTIONS : lookupOptionsOf(parsedQuery.data);
    let lookup: Promise<LookupResult>;
    try {
      let indicator: Indicator;
      if (target) {
        indicator = target.indicator;
        if (memo.path !== path) {
          memo.path = path;
          memo.target = target;
        }
      } else {
        indicator = indicatorOfKind(id, kind); // throws for an id that is not one: answered below
        const named: Target = { kind, route, indicator, pathJson: accessLog.pathJson?.(path), fields200: accessLog.fields?.('GET', path, route, 200) };
        remember(path, named);
        pending.target = named;
        memo.path = path;
        memo.target = named;
      }
      // a fresh answer in memory serves every role and budget alike: answered now, no promise, no signal
      // (a reader's or cache-only lookup is never background work, as in lookupAs)
      const counted = options.priority === 'background' && (principal.role === 'reader' || options.cacheOnly === true) ? { ...options, priority: undefined } : options;
      const hit = deps.gateway.lookups.lookupInMemory(indicator, counted);
      if (hit) {
        answered(pending, hit);
        return 'answered';
      }
      const request = deps.deadlines.track(deps.limits.requestMs);
      pending.request = request;
      watchRequest(res, request);
      lookup = lookupAs(deps, principal, indicator, options, () => request.signal);
    } catch (err) {
      failed(pending, err);
      return 'answered';
    }
    lookup.then(
      (result) => answered(pending, result),
      (err) => failed(pending, err),
    );
    return 'pending';
  };
}
