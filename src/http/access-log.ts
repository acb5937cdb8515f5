/** Request ids, and what every finished request leaves behind: metrics and one access-log line. */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppDeps, Principal } from './types.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request's id: the client's X-Request-Id when it is sane, else a fresh one. */
export function requestIdOf(incoming: string | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
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

/** Metrics and the one access-log line of a finished request. */
export function recordRequest(deps: AppDeps, accessLog: Logger, r: RequestRecord): void {
  deps.metrics.request(r.method, r.route, r.status, r.seconds);
  if (r.status === 429 || r.status === 503) deps.metrics.rejection(r.errorCode ?? String(r.status));
  accessLog.info(
    {
      reqId: r.requestId,
      method: r.method,
      // a one-time upload URL is a credential until used: keep it out of the logs
      path: r.path.startsWith('/api/v3/_upload/') ? '/api/v3/_upload/[redacted]' : r.path,
      route: r.route,
      status: r.status,
      ms: Math.round(r.seconds * 10_000) / 10,
      ...(r.principal ? { client: r.principal.name, role: r.principal.role } : {}),
    },
    'request',
  );
}
