/**
 * The hono application: request ids, time limits, one log line and metrics per request, the route
 * table, and error bodies in the caller's dialect (`{error:{code,message}}`, VT codes on /api/v3).
 */
import { tmpdir } from 'node:os';
import { Hono } from 'hono';
import { secretsOf } from '../config/index.js';
import type { Gateway } from '../gateway/index.js';
import { Deadlines } from './middleware/deadlines.js';
import { type AccessLog, lineAccessLog, pinoAccessLog, recordRequest, requestIdOf } from './middleware/access-log.js';
import { LogBuffer } from './middleware/log-buffer.js';
import { errorResponse } from './error-response.js';
import { RequestAbortedError } from './errors.js';
import { createLogger, createScrubber } from './logging.js';
import { HttpMetrics } from './middleware/metrics.js';
import { familyOf, type RouteDef, register, toHonoPath } from './route.js';
import { registerDashboard } from './dashboard/routes.js';
import { sessionMiddleware } from './dashboard/session.js';
import { batchRoutes } from './routes/batch.js';
import { contentRoutes } from './routes/content.js';
import { docsRoutes } from './routes/docs.js';
import { eventRoutes } from './routes/events.js';
import { historyRoutes } from './routes/history.js';
import { lookupRoutes } from './routes/lookup.js';
import { opsRoutes } from './routes/ops.js';
import { scanRoutes } from './routes/scan.js';
import { searchRoutes } from './routes/search.js';
import { tokenRoutes } from './routes/tokens.js';
import { watchlistRoutes } from './routes/watchlists.js';
import { webhookRoutes } from './routes/webhooks.js';
import { type AppDeps, type AppEnv, type AppOptions, DEFAULT_LIMITS, type Principal } from './types.js';
import { UploadTokens, v3Routes } from './v3/index.js';
import { markSimulated } from './v3/simulated.js';

/** Every route, in registration order (static paths before the patterns that would also match them). */
export function routeTable(): RouteDef[] {
  const table: RouteDef[] = [];
  table.push(
    ...docsRoutes(() => table),
    ...opsRoutes,
    ...lookupRoutes,
    ...scanRoutes,
    ...contentRoutes,
    ...historyRoutes,
    ...searchRoutes,
    ...batchRoutes,
    ...webhookRoutes,
    ...tokenRoutes,
    ...watchlistRoutes,
    ...eventRoutes,
    ...v3Routes,
  );
  return table;
}

function uploadRoute(method: string, path: string): boolean {
  return method === 'POST' && (path === '/api/scan/file' || path === '/api/v3/files' || path.startsWith('/api/v3/_upload/'));
}

export interface BuiltApp {
  app: Hono<AppEnv>;
  deps: AppDeps;
  routes: RouteDef[];
  accessLog: AccessLog;
  /** Writes the access-log lines held for batching (see LogBuffer) now: on close, on exit. */
  flushLogs(): void;
}

/** pino's info level (the access line is written at it). */
const INFO = 30;

/** The app and what it was built with (startServer needs the metrics, the logger and the upload tokens). */
export function buildApp(gateway: Gateway, options: AppOptions = {}): BuiltApp {
  const secrets = secretsOf(gateway.config);
  const stream = options.logStream ?? process.stdout;
  // access lines are held and written in batches; every other line first writes what is held (same order)
  const held = new LogBuffer(stream, { flushMs: gateway.config.server.accessLogFlushMs });
  const level = gateway.config.server.logLevel;
  const logger = options.logger ?? createLogger({ secrets, stream: held.inOrder(), ...(level ? { level } : {}) });
  // the access line has fixed fields (no headers, no bodies): it needs no path redaction, only the scrub
  const accessLog = options.logger ? pinoAccessLog(options.logger) : lineAccessLog(held, createScrubber(secrets), () => logger.levelVal <= INFO);
  const deps: AppDeps = {
    gateway,
    logger,
    metrics: new HttpMetrics(),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    uploads: new UploadTokens<Principal>(gateway.clock),
    uploadDir: options.uploadDir ?? tmpdir(),
    requireTokens: options.requireTokens ?? false,
    deadlines: new Deadlines(Math.min(1000, Math.max(10, (options.limits?.requestMs ?? DEFAULT_LIMITS.requestMs) / 4))),
  };
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    const requestId = requestIdOf(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    const limit = uploadRoute(c.req.method, c.req.path) ? Number.POSITIVE_INFINITY : deps.limits.requestMs;
    const request = deps.deadlines.track(limit);
    c.set('request', request);
    // the client went away before the answer: stop waiting for quota on its behalf
    const outgoing = (c.env as { outgoing?: NodeJS.EventEmitter & { writableFinished?: boolean } } | undefined)?.outgoing;
    const onClose = () => {
      if (!outgoing?.writableFinished) request.abort(new RequestAbortedError(false));
    };
    outgoing?.once('close', onClose);
    try {
      await next();
    } finally {
      request.done();
      outgoing?.off('close', onClose);
    }
    // hot paths put the id into their own plain headers (see jsonResponse): touching c.res.headers
    // would turn them into a Headers object, which costs more than the rest of a cache hit
    if (!c.get('headersDone')) c.res.headers.set('X-Request-Id', requestId);
    const status = c.res.status;
    recordRequest(deps, accessLog, {
      requestId,
      method: c.req.method,
      path: c.req.path,
      route: c.req.routePath || 'unmatched',
      status,
      seconds: (performance.now() - started) / 1000,
      principal: c.get('principal'),
      errorCode: status === 429 || status === 503 ? c.res.headers.get('x-vtg-error') : null,
    });
  });

  app.use('*', sessionMiddleware(deps));
  if (gateway.mock) app.use('/api/v3/*', markSimulated);
  registerDashboard(app, deps);
  const routes = routeTable();
  for (const r of routes) register(app, r, deps);

  // A known path with a method it does not serve: 405 with Allow, rather than a bare 404.
  const methodsByPath = new Map<string, Set<string>>();
  for (const r of routes) {
    const p = r.honoPath ?? toHonoPath(r.path);
    methodsByPath.set(p, (methodsByPath.get(p) ?? new Set()).add(r.method.toUpperCase()));
  }
  for (const [p, methods] of methodsByPath) {
    const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].join(', ');
    app.all(p, (c) => {
      const family = familyOf(c.req.path);
      const message = `${c.req.method} is not allowed here; use ${allow}`;
      return c.json({ error: { code: family === 'v3' ? 'NotFoundError' : 'MethodNotAllowed', message } }, 405, { Allow: allow });
    });
  }

  app.notFound((c) => {
    const family = familyOf(c.req.path);
    return c.json({ error: { code: family === 'v3' ? 'NotFoundError' : 'NotFound', message: `no route for ${c.req.method} ${c.req.path.slice(0, 200)}` } }, 404);
  });
  app.onError((err, c) => errorResponse(c, err, logger));
  return { app, deps, routes, accessLog, flushLogs: () => held.flush() };
}

/** The hono app alone (in-process tests: `app.request(...)`). */
export function createApp(gateway: Gateway, options: AppOptions = {}): Hono<AppEnv> {
  return buildApp(gateway, options).app;
}
