/**
 * The hot path: `GET /api/{files,domains,ip_addresses,urls}/{id}`, answered straight on node:http
 * without the framework's Request/Response objects (they cost more than a cache hit itself). It is
 * the same lookup: the same authentication, query schema, budget rules, serialization, error
 * bodies, access log and metrics, through the same functions. Anything it does not recognise
 * (other methods, percent-encoded ids, a query it cannot validate, a refused token) goes on to the
 * routed app, which gives the full answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { IndicatorKind } from '../indicators/index.js';
import { recordRequest, requestIdOf } from './access-log.js';
import { renderError } from './error-response.js';
import { authenticateHeaders } from './auth.js';
import { lookupAs } from './budget.js';
import { RequestAbortedError } from './errors.js';
import { indicatorOfKind } from './indicator-input.js';
import { lookupQuery } from './schemas.js';
import { lookupResultParts } from './serialize.js';
import type { AppDeps, Principal } from './types.js';

const FAST_PATH = /^\/api\/(files|domains|ip_addresses|urls)\/([A-Za-z0-9._:-]{1,2048})$/;

const KIND: Record<string, { kind: IndicatorKind; route: string }> = {
  files: { kind: 'file', route: '/api/files/:hash' },
  domains: { kind: 'domain', route: '/api/domains/:domain' },
  ip_addresses: { kind: 'ip', route: '/api/ip_addresses/:ip' },
  urls: { kind: 'url', route: '/api/urls/:id' },
};

const NO_QUERY = lookupQuery.safeParse({});

export type FastHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createFastLookup(deps: AppDeps, accessLog: Logger): FastHandler {
  const log = deps.logger;
  return (req, res) => {
    if (req.method !== 'GET' || !req.url) return false;
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    const m = FAST_PATH.exec(path);
    if (!m) return false;
    const { kind, route } = KIND[m[1] as string] as { kind: IndicatorKind; route: string };
    const parsedQuery = q < 0 ? NO_QUERY : lookupQuery.safeParse(Object.fromEntries(new URLSearchParams(req.url.slice(q + 1))));
    if (!parsedQuery.success) return false;
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    let principal: Principal;
    try {
      principal = authenticateHeaders(header, deps, 'reader', 'api') as Principal;
    } catch {
      return false; // the app renders the refusal
    }
    const started = performance.now();
    const requestId = requestIdOf(header('x-request-id'));
    const request = deps.deadlines.track(deps.limits.requestMs);
    const onClose = () => {
      if (!res.writableFinished) request.abort(new RequestAbortedError(false));
    };
    res.once('close', onClose);
    const query = parsedQuery.data;
    const finish = (status: number, headers: Record<string, string>, body: string | [Buffer, Buffer], errorCode: string | null) => {
      request.done();
      res.off('close', onClose);
      if (!res.headersSent && !res.destroyed) {
        const length = typeof body === 'string' ? Buffer.byteLength(body) : body[0].length + body[1].length;
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': length, 'x-request-id': requestId, ...headers });
        if (typeof body === 'string') res.end(body);
        else {
          // two chunks (small envelope + cached report bytes) go out in one writev, without a copy
          res.cork();
          res.write(body[0]);
          res.end(body[1]);
        }
      }
      recordRequest(deps, accessLog, { requestId, method: 'GET', path, route, status, seconds: (performance.now() - started) / 1000, principal, errorCode });
    };
    (async () => {
      const indicator = indicatorOfKind(m[2] as string, kind);
      return lookupAs(
        deps,
        principal,
        indicator,
        {
          provider: query.provider,
          maxAgeMs: query.maxAge === undefined ? undefined : query.maxAge * 1000,
          allowStale: query.allowStale,
          waitForQuota: query.wait ?? false,
        },
        () => request.signal,
      );
    })().then(
      (result) => finish(200, { 'x-vtg-source': result.source }, lookupResultParts(result), null),
      (err) => {
        const r = renderError(path, err, log, requestId);
        finish(r.status, r.headers, r.body, r.headers['X-VTG-Error'] ?? null);
      },
    );
    return true;
  };
}
