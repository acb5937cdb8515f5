import type { Logger } from 'pino';
import type { Gateway } from '../gateway/index.js';
import type { TokenRole } from '../gateway/index.js';
import type { Deadlines, RequestSignal } from './middleware/deadlines.js';
import type { HttpMetrics } from './middleware/metrics.js';
import type { UploadTokens } from './v3/upload-tokens.js';

/** Who is calling: a token's record, or the local operator when no token is configured (admin). */
export interface Principal {
  /** Token id, or null in open mode (no tokens configured). */
  tokenId: string | null;
  name: string;
  role: TokenRole;
  dailyBudget: number | null;
}

/** Size and time limits of the service. */
export interface HttpLimits {
  jsonBytes: number;
  textBatchBytes: number;
  uploadBytes: number;
  /** Whole-request time limit for everything but uploads. */
  requestMs: number;
  /** Requests without a body (lookups, cached answers) in flight at once; more get 503. */
  maxInFlight: number;
  /** Requests with a body (uploads, posts) in flight at once, a lane of their own; more get 503. */
  maxBodiesInFlight: number;
  /** Share of each lane one client (token, or peer address without one) may hold; beyond it 429. */
  perClientShare: number;
  /** A body has this long before its delivery rate is checked. */
  bodyGraceMs: number;
  /** After the grace period a body must arrive at least this fast on average (else 408, disconnect). */
  bodyMinBytesPerSecond: number;
  /** Indicators accepted in one batch. */
  batchItems: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  jsonBytes: 1024 * 1024,
  textBatchBytes: 5 * 1024 * 1024,
  uploadBytes: 650 * 1024 * 1024,
  requestMs: 120_000,
  maxInFlight: 256,
  maxBodiesInFlight: 64,
  perClientShare: 0.25,
  bodyGraceMs: 10_000,
  bodyMinBytesPerSecond: 4096,
  batchItems: 100_000,
};

export interface AppOptions {
  logger?: Logger;
  /** Captures the JSON log lines (tests); ignored when `logger` is given. */
  logStream?: NodeJS.WritableStream;
  insecureNoAuth?: boolean;
  /**
   * Refuse every non-public request while no token exists (never fall back to open mode). Default:
   * on when bound off loopback without insecureNoAuth. Tests set it on a loopback server.
   */
  requireTokens?: boolean;
  limits?: Partial<HttpLimits>;
  /** Where uploads are spooled (default: the OS temp dir). */
  uploadDir?: string;
}

/** Everything a route handler can reach (the Gateway is the only engine object). */
export interface AppDeps {
  gateway: Gateway;
  logger: Logger;
  metrics: HttpMetrics;
  limits: HttpLimits;
  uploads: UploadTokens<Principal>;
  uploadDir: string;
  deadlines: Deadlines;
  /** See AppOptions.requireTokens. */
  requireTokens: boolean;
}

export interface ServerOptions extends AppOptions {
  gateway: Gateway;
  /** Default: config.server.host (127.0.0.1). */
  host?: string;
  /** Default: config.server.port (8290); 0 picks a free port. */
  port?: number;
  /** How long close() lets in-flight requests finish (default 10 s). */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export type AppEnv = {
  Variables: {
    principal: Principal;
    requestId: string;
    /** Its signal aborts when the client goes away or the request's time limit runs out. */
    request: RequestSignal;
    /** The handler already put X-Request-Id into its (plain) response headers. */
    headersDone: boolean;
    /** The token of the dashboard session this request is signed in with (cookie, no Authorization header). */
    sessionToken: string;
  };
};
