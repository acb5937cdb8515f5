import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Clock, systemClock } from '../clock/index.js';
import { handleControl } from './control.js';
import { FaultInjector } from './faults.js';
import { MockBodyTooLarge, readBody, sendError, sendJson } from './http-util.js';
import { keyLabel } from './key-label.js';
import { MultipartError } from './multipart.js';
import { checkFaults, checkLimits } from './parse-options.js';
import { PROFILE_LIMITS, QuotaLedger } from './quota.js';
import { StatsRecorder } from './stats.js';
import type { MockContext, MockFaults, MockOptions, MockQuotaLimits, MockServer } from './types.js';
import { UsageLog } from './usage.js';
import { DEFAULT_NOT_FOUND_SHARE } from './verdicts.js';
import type { VtContext } from './virustotal/context.js';
import { receiveUpload } from './virustotal/files.js';
import { matchRoute } from './virustotal/routes.js';
import { VtWorld } from './virustotal/world.js';

const API_PREFIX = '/api/v3';
const UPLOAD_PREFIX = '/_upload/';
const DEFAULT_MAX_UPLOAD = 650 * 1024 * 1024;
const DEFAULT_MAX_DIRECT_UPLOAD = 32 * 1024 * 1024;

const FAULT_ERRORS: Record<500 | 502 | 503 | 504, [string, string]> = {
  500: ['InternalError', 'Internal server error'],
  502: ['BadGatewayError', 'Bad gateway'],
  503: ['TransientError', 'Transient error, please try again later'],
  504: ['DeadlineExceededError', 'Deadline exceeded'],
};

/** The simulator's shared state and the request pipeline (auth, faults, quota, handler, stats). */
class MockRuntime {
  readonly clock: Clock;
  readonly stats = new StatsRecorder();
  readonly usage = new UsageLog();
  readonly quota: QuotaLedger;
  readonly faults: FaultInjector;
  readonly world: VtWorld;
  readonly keys: Set<string> | null;
  /** Keys answered 401 from now on (revoked at runtime). */
  readonly revoked = new Set<string>();
  readonly profile: 'public' | 'premium';
  readonly maxUploadBytes: number;
  readonly maxDirectUploadBytes: number;
  readonly timers = new Set<NodeJS.Timeout>();
  origin = '';
  closed = false;

  constructor(readonly options: MockOptions) {
    this.clock = options.clock ?? systemClock;
    this.profile = options.profile ?? 'public';
    if (this.profile !== 'public' && this.profile !== 'premium') throw new RangeError(`unknown quota profile "${String(this.profile)}"`);
    this.quota = new QuotaLedger(this.limitsFor(options.limits ?? {}));
    this.faults = new FaultInjector(checkFaults(options.faults ?? {}), options.seed ?? 1);
    const share = options.notFoundShare ?? DEFAULT_NOT_FOUND_SHARE;
    if (!(share >= 0 && share <= 1)) throw new RangeError('notFoundShare must be between 0 and 1');
    const steps = options.analysisSteps ?? { queuedMs: 2000, inProgressMs: 3000 };
    if (!(steps.queuedMs >= 0 && steps.inProgressMs >= 0)) throw new RangeError('analysisSteps must be >= 0');
    this.world = new VtWorld(share, steps);
    this.keys = options.keys ? new Set(options.keys) : null;
    for (const [key, limits] of Object.entries(options.keyLimits ?? {})) this.setKeyLimits(key, limits);
    this.maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
    this.maxDirectUploadBytes = options.maxDirectUploadBytes ?? DEFAULT_MAX_DIRECT_UPLOAD;
  }

  limitsFor(limits: MockQuotaLimits): Required<MockQuotaLimits> {
    return { ...PROFILE_LIMITS[this.profile], ...checkLimits(limits) };
  }

  setLimits(limits: MockQuotaLimits): void {
    this.quota.setLimits(this.limitsFor(limits));
  }

  setKeyLimits(key: string, limits: MockQuotaLimits): void {
    if (typeof key !== 'string' || key === '') throw new RangeError('key must be a non-empty string');
    this.quota.setKeyLimits(key, this.limitsFor(limits));
  }

  revokeKey(key: string): void {
    if (typeof key !== 'string' || key === '') throw new RangeError('key must be a non-empty string');
    this.revoked.add(key);
  }

  setFaults(faults: MockFaults): void {
    this.faults.set(checkFaults(faults));
  }

  reset(): void {
    this.stats.reset();
    this.quota.reset();
    this.usage.reset();
  }

  record(endpoint: string, key: string, status: number, outcome?: 'dropped' | 'hung'): void {
    this.stats.record({ at: this.clock.now(), method: endpoint.split(' ')[0] ?? '', endpoint, key: keyLabel(key), status }, outcome);
  }

  /** Real-time delay (latency is about wall time, whatever the clock). */
  delay(ms: number): Promise<void> {
    if (!(ms > 0) || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Applies latency and the fault decision; true when a fault answered (or swallowed) the request. */
  async applyFaults(req: IncomingMessage, res: ServerResponse, endpoint: string, key: string): Promise<boolean> {
    await this.delay(this.faults.current.latencyMs ?? 0);
    return this.injectFault(req, res, endpoint, key);
  }

  injectFault(req: IncomingMessage, res: ServerResponse, endpoint: string, key: string): boolean {
    const decision = this.faults.decide();
    switch (decision.kind) {
      case 'none':
        return false;
      case 'storm':
        req.resume();
        sendError(req, res, 429, 'QuotaExceededError', 'Quota exceeded');
        this.record(endpoint, key, 429);
        return true;
      case 'too-many':
        req.resume();
        sendError(req, res, 429, 'TooManyRequestsError', 'Too many requests');
        this.record(endpoint, key, 429);
        return true;
      case 'error': {
        const [code, message] = FAULT_ERRORS[decision.status];
        req.resume();
        sendError(req, res, decision.status, code, message);
        this.record(endpoint, key, decision.status);
        return true;
      }
      case 'hang':
        // Accept and never answer; close() destroys the socket.
        req.resume();
        this.record(endpoint, key, 0, 'hung');
        return true;
      case 'drop':
        this.record(endpoint, key, 0, 'dropped');
        req.socket.destroy();
        return true;
    }
  }

  vtContext(req: IncomingMessage, res: ServerResponse, url: URL, params: string[], key: string): VtContext {
    return {
      req,
      res,
      url,
      params,
      origin: this.origin,
      nowMs: this.clock.now(),
      clock: this.clock,
      key,
      world: this.world,
      quota: this.quota,
      usage: this.usage,
      maxUploadBytes: this.maxUploadBytes,
      maxDirectUploadBytes: this.maxDirectUploadBytes,
      json: (status, body) => sendJson(req, res, status, body),
      error: (status, code, message) => sendError(req, res, status, code, message),
    };
  }

  /** Grants quota or answers 429 QuotaExceededError (the rejected request is not counted). */
  takeQuota(req: IncomingMessage, res: ServerResponse, endpoint: string, key: string, group: string): boolean {
    const now = this.clock.now();
    const grant = this.quota.take(key, now);
    if (!grant.ok) {
      req.resume();
      sendError(req, res, 429, 'QuotaExceededError', `Quota exceeded (${grant.window} quota)`);
      this.record(endpoint, key, 429);
      return false;
    }
    this.usage.record(key, now, group);
    return true;
  }

  /** Runs a handler and records its answer; body and multipart errors become 413 / 400. */
  async run(req: IncomingMessage, res: ServerResponse, endpoint: string, key: string, handler: () => unknown): Promise<void> {
    try {
      await handler();
    } catch (err) {
      if (err instanceof MockBodyTooLarge) {
        res.setHeader('Connection', 'close');
        sendError(req, res, 413, 'RequestEntityTooLargeError', `Request body too large (limit ${err.limit} bytes)`);
      } else if (err instanceof MultipartError) {
        sendError(req, res, 400, 'BadRequestError', `Malformed multipart body: ${err.message}`);
      } else if (!res.headersSent && !res.destroyed && !req.destroyed) {
        sendError(req, res, 500, 'InternalError', 'Internal error in the simulator');
      }
    }
    this.record(endpoint, key, res.destroyed && !res.writableFinished ? 0 : res.statusCode);
  }

  async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.slice(API_PREFIX.length) || '/';
    const match = matchRoute(method, path);
    const endpoint =
      match.kind === 'found' ? match.route.endpoint : match.kind === 'method-not-allowed' ? match.endpoint : `${method} /(unknown)`;
    await this.delay(this.faults.current.latencyMs ?? 0);
    const header = req.headers['x-apikey'];
    const key = (Array.isArray(header) ? header[0] : header) ?? '';
    if (!key) {
      req.resume();
      sendError(req, res, 401, 'AuthenticationRequiredError', 'X-Apikey header is missing');
      this.record(endpoint, '', 401);
      return;
    }
    if ((this.keys && !this.keys.has(key)) || this.revoked.has(key)) {
      req.resume();
      sendError(req, res, 401, 'WrongCredentialsError', 'Wrong API key');
      this.record(endpoint, key, 401);
      return;
    }
    if (match.kind !== 'found') {
      req.resume();
      if (match.kind === 'method-not-allowed') {
        res.setHeader('Allow', match.allowed.join(', '));
        sendError(req, res, 405, 'MethodNotAllowedError', `Method ${method} is not allowed on ${path}`);
        this.record(endpoint, key, 405);
      } else {
        if (match.kind === 'bad-path') sendError(req, res, 400, 'BadRequestError', 'Malformed percent-encoding in the path');
        else sendError(req, res, 404, 'NotFoundError', `Resource not found: ${API_PREFIX}${path}`);
        this.record(endpoint, key, match.kind === 'bad-path' ? 400 : 404);
      }
      return;
    }
    if (this.injectFault(req, res, endpoint, key)) return;
    const { route, params } = match;
    if (!route.free && !this.takeQuota(req, res, endpoint, key, route.group)) return;
    const ctx = this.vtContext(req, res, url, params, key);
    await this.run(req, res, endpoint, key, () => route.handler(ctx));
  }

  /** `POST /_upload/{token}`: the one-time upload URL; the token stands for the key that asked for it. */
  async handleUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const endpoint = 'POST /_upload/{token}';
    const token = url.pathname.slice(UPLOAD_PREFIX.length);
    await this.delay(this.faults.current.latencyMs ?? 0);
    const header = req.headers['x-apikey'];
    const callerKey = (Array.isArray(header) ? header[0] : header) ?? '';
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('Allow', 'POST');
      sendError(req, res, 405, 'MethodNotAllowedError', `Method ${req.method} is not allowed on upload URLs`);
      this.record(endpoint, callerKey, 405);
      return;
    }
    if (this.injectFault(req, res, endpoint, callerKey)) return;
    const taken = this.world.takeUploadToken(token, this.clock.now());
    if (!taken.ok) {
      req.resume();
      if (taken.reason === 'used') sendError(req, res, 400, 'BadRequestError', 'This upload URL was already used');
      else sendError(req, res, 404, 'NotFoundError', 'Upload URL not found or expired');
      this.record(endpoint, callerKey, taken.reason === 'used' ? 400 : 404);
      return;
    }
    if (!this.takeQuota(req, res, endpoint, taken.key, '/api/v3/(file_scan)')) return;
    const ctx = this.vtContext(req, res, url, [token], taken.key);
    await this.run(req, res, endpoint, taken.key, () => receiveUpload(ctx, this.maxUploadBytes));
  }

  pluginContext(): MockContext {
    return {
      clock: this.clock,
      origin: this.origin,
      record: (endpoint, key, status) => this.record(endpoint, key, status),
      json: (res, status, body) => sendJson(res.req, res, status, body),
      readBody: (req, limit) => readBody(req, limit),
      faults: () => this.faults.current,
      applyFaults: (req, res, endpoint, key) => this.applyFaults(req, res, endpoint, key),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', this.origin);
    } catch {
      req.resume();
      sendError(req, res, 400, 'BadRequestError', 'Malformed request URL');
      return;
    }
    const path = url.pathname;
    try {
      if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return await this.handleApi(req, res, url);
      if (path.startsWith(UPLOAD_PREFIX)) return await this.handleUpload(req, res, url);
      if (path.startsWith('/_mock/')) return await handleControl(this, req, res, url);
      for (const route of this.options.routes ?? []) {
        if (await route(req, res, url, this.pluginContext())) return;
      }
      req.resume();
      sendError(req, res, 404, 'NotFoundError', `Resource not found: ${path}`);
    } catch {
      if (!res.headersSent && !res.destroyed) sendError(req, res, 500, 'InternalError', 'Internal error in the simulator');
    }
  }
}

export type { MockRuntime };

/**
 * Starts the simulator on 127.0.0.1 (by default on a free port). Every /api/v3 endpoint VirusTotal
 * clients use, quotas per key, faults on demand, and what it received via stats() or GET /_mock/stats.
 */
export async function startMock(options: MockOptions = {}): Promise<MockServer> {
  const runtime = new MockRuntime(options);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void runtime.handle(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  // Large uploads on slow links may take longer than Node's default 300 s request timeout.
  server.requestTimeout = 0;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  runtime.origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | null = null;

  return {
    url: runtime.origin,
    port,
    stats: () => runtime.stats.snapshot(),
    reset: () => runtime.reset(),
    setFaults: (f) => runtime.setFaults(f),
    setVerdict: (kind, id, stats) => runtime.world.setVerdict(kind, id, stats),
    setLimits: (l) => runtime.setLimits(l),
    setKeyLimits: (key, l) => runtime.setKeyLimits(key, l),
    revokeKey: (key) => runtime.revokeKey(key),
    close() {
      closing ??= new Promise<void>((resolve) => {
        runtime.closed = true;
        for (const timer of runtime.timers) clearTimeout(timer);
        runtime.timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
