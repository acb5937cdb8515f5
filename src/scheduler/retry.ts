import type { RetryPolicy } from './types.js';

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, tooManyDelayMs: 5_000 };

/**
 * What a failure means for the schedule:
 * quota (429 QuotaExceededError: pause the key, requeue), too_many (429 burst: short back-off),
 * auth (401: the key is bad, fail fast), forbidden (403: this call is not allowed, fail fast),
 * transient (5xx, network, timeouts: exponential back-off), abort, fatal (other 4xx, bugs).
 */
export type ErrorClass = 'quota' | 'too_many' | 'auth' | 'forbidden' | 'transient' | 'abort' | 'fatal';

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  status?: unknown;
  retryable?: unknown;
  retryAfterMs?: unknown;
}

const AUTH_CODES = new Set(['WrongCredentialsError', 'AuthenticationRequiredError', 'UserNotActiveError']);
const TRANSIENT_CODES = new Set(['TransientError', 'DeadlineExceededError']);
const TRANSIENT_NAMES = new Set(['VtNetworkError', 'VtTimeoutError', 'TransientError', 'DeadlineExceededError']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Failures where the request never left this host: no byte reached the upstream, so no quota was spent. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when the upstream never saw the request (DNS failure, connection refused), judged by the
 * error's `errno` (the VirusTotal client's network error) or `code`, on it or its causes.
 */
export function neverSent(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { errno?: unknown; code?: unknown; cause?: unknown };
    if (NEVER_SENT_CODES.has(String(e.errno)) || NEVER_SENT_CODES.has(String(e.code))) return true;
    current = e.cause;
  }
  return false;
}

/** Classifies by `code`, `status`, `name` and `retryable`, so provider error classes need not be imported. */
export function classifyError(err: unknown): ErrorClass {
  if (typeof err !== 'object' || err === null) return 'fatal';
  const e = err as ErrorShape;
  const { code, name } = e;
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (code === 'QuotaExceededError' || name === 'QuotaExceededError') return 'quota';
  if (code === 'TooManyRequestsError' || name === 'TooManyRequestsError' || status === 429) return 'too_many';
  if (typeof code === 'string' && AUTH_CODES.has(code)) return 'auth';
  if (typeof name === 'string' && AUTH_CODES.has(name)) return 'auth';
  if (status === 401) return 'auth';
  if (code === 'ForbiddenError' || name === 'ForbiddenError' || status === 403) return 'forbidden';
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || NETWORK_CODES.has(code))) return 'transient';
  if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return 'transient';
  if (status !== undefined && status >= 500) return 'transient';
  if (status !== undefined && status >= 400) return 'fatal';
  if (name === 'AbortError' || code === 'ABORT_ERR') return 'abort';
  if (e.retryable === true) return 'transient';
  return 'fatal';
}

/** True for failures worth another call: 5xx, network errors, timeouts and 429s. */
export function isRetryable(err: unknown): boolean {
  const c = classifyError(err);
  return c === 'transient' || c === 'quota' || c === 'too_many';
}

/** The upstream's Retry-After (as parsed by the provider client), if any. */
export function retryAfterMs(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const v = (err as ErrorShape).retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Full jitter: uniform in [0, min(maxDelay, base * 2^(attempt-1))), `attempt` being the failed attempt (1-based). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(Math.min(0.999999, Math.max(0, random())) * cap);
}
