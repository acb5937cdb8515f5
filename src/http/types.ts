import type { Logger } from 'pino';
import type { Gateway } from '../gateway/index.js';
import type { TokenRole } from '../gateway/index.js';
import type { Deadlines, RequestSignal } from './deadlines.js';
import type { HttpMetrics } from './metrics.js';
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
  /** Requests in flight at once; more get 503. */
  maxInFlight: number;
  /** Indicators accepted in one batch. */
  batchItems: number;
  /** How long a /api/v3 lookup waits for quota before answering 429 (VT clients rarely retry). */
  v3QuotaWaitMs: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  jsonBytes: 1024 * 1024,
  textBatchBytes: 5 * 1024 * 1024,
  uploadBytes: 650 * 1024 * 1024,
  requestMs: 120_000,
  maxInFlight: 256,
  batchItems: 100_000,
  v3QuotaWaitMs: 60_000,
};

export interface AppOptions {
  logger?: Logger;
  /** Captures the JSON log lines (tests); ignored when `logger` is given. */
  logStream?: NodeJS.WritableStream;
  insecureNoAuth?: boolean;
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
