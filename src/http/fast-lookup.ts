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
import type { LookupResult } from '../gateway/index.js';
import type { IndicatorKind } from '../indicators/index.js';
import { type AccessLog, recordRequest, requestIdOf } from './middleware/access-log.js';
import { authenticateCached } from './middleware/auth.js';
import { lookupAs } from './budget.js';
import type { RequestSignal } from './middleware/deadlines.js';
import { renderError } from './error-response.js';
import { indicatorOfKind } from './indicator-input.js';
import { lookupOptionsOf, lookupQuery } from './schemas.js';
import { lookupResultParts } from './serialize.js';
import { GatewayResponse } from './response.js';
import type { AppDeps, Principal } from './types.js';

const FAST_PATH = /^\/api\/(files|domains|ip_addresses|urls)\/([A-Za-z0-9._:-]{1,2048})$/;

const KIND: Record<string, { kind: IndicatorKind; route: string }> = {
  files: { kind: 'file', route: '/api/files/:hash' },
  domains: { kind: 'domain', route: '/api/domains/:domain' },
  ip_addresses: { kind: 'ip', route: '/api/ip_addresses/:ip' },
  urls: { kind: 'url', route: '/api/urls/:id' },
};

const NO_QUERY = lookupQuery.safeParse({});

/** Lets the server abort `request` when the client goes away before the answer is written. */
export function watchRequest(res: ServerResponse, request: RequestSignal): void {
  if (res instanceof GatewayResponse) res.watched = request;
}


function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export type FastHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** What a fast request needs once its lookup settles. */
interface Pending {
  deps: AppDeps;
  accessLog: AccessLog;
  res: ServerResponse;
  request: RequestSignal;
  requestId: string;
  path: string;
  route: string;
  principal: Principal;
  started: number;
}

function record(p: Pending, status: number, errorCode: string | null): void {
  recordRequest(p.deps, p.accessLog, {
    requestId: p.requestId,
    method: 'GET',
    path: p.path,
    route: p.route,
    status,
    seconds: (performance.now() - p.started) / 1000,
    principal: p.principal,
    errorCode,
  });
}

function answered(p: Pending, result: LookupResult): void {
  p.request.done();
  const { res } = p;
  if (!res.headersSent && !res.destroyed) {
    const [head, report] = lookupResultParts(result);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(head) + report.length,
      'x-request-id': p.requestId,
      'x-vtg-source': result.source,
    });
    // the envelope (a string) joins the status line and headers; the cached report bytes follow: one writev
    res.cork();
    res.write(head);
    res.end(report);
  }
  record(p, 200, null);
}

function failed(p: Pending, err: unknown): void {
  p.request.done();
  const r = renderError(p.path, err, p.deps.logger, p.requestId);
  const { res } = p;
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(r.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body), 'x-request-id': p.requestId, ...r.headers });
    res.end(r.body);
  }
  record(p, r.status, r.headers['X-VTG-Error'] ?? null);
}

export function createFastLookup(deps: AppDeps, accessLog: AccessLog): FastHandler {
  return (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || !url) return false;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const m = FAST_PATH.exec(path);
    if (!m) return false;
    const { kind, route } = KIND[m[1] as string] as { kind: IndicatorKind; route: string };
    const parsedQuery = q < 0 ? NO_QUERY : lookupQuery.safeParse(Object.fromEntries(new URLSearchParams(url.slice(q + 1))));
    if (!parsedQuery.success) return false;
    const headers = req.headers;
    let principal: Principal;
    try {
      const known = authenticateCached((name) => headerOf(headers, name), deps, 'reader', 'api');
      if (known === undefined) return false; // not remembered: the app authenticates (and remembers it)
      principal = known as Principal;
    } catch {
      return false; // the app renders the refusal
    }
    const started = performance.now();
    const request = deps.deadlines.track(deps.limits.requestMs);
    watchRequest(res, request);
    const pending: Pending = { deps, accessLog, res, request, requestId: requestIdOf(headerOf(headers, 'x-request-id')), path, route, principal, started };
    let lookup: Promise<LookupResult>;
    try {
      lookup = lookupAs(deps, principal, indicatorOfKind(m[2] as string, kind), lookupOptionsOf(parsedQuery.data), () => request.signal);
    } catch (err) {
      failed(pending, err);
      return true;
    }
    lookup.then(
      (result) => answered(pending, result),
      (err) => failed(pending, err),
    );
    return true;
  };
}
