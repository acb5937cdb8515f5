/**
 * Every failure becomes `{error: {code, message}}` with a deliberate status: 4xx for anything the
 * caller can fix, 429 with Retry-After for quota and budgets, 502/503/504 for upstream trouble, and
 * 500 `InternalError` (no details) only for bugs.
 */
import { NotCachedError, ProviderUnavailableError, QuotaExhaustedError, UpstreamUnavailableError } from '../gateway/index.js';
import { IndicatorError } from '../indicators/index.js';
import { VtError } from '../providers/virustotal/index.js';
import { WebhookTargetError } from '../webhooks/index.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The request's own time limit ran out (or the client went away). */
export class RequestAbortedError extends Error {
  override name = 'RequestAbortedError';
  constructor(readonly timedOut: boolean) {
    super(timedOut ? 'the request took too long and was stopped' : 'the client closed the connection');
  }
}

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
  /** True for a bug (logged with its stack); the message is then generic. */
  internal: boolean;
}

function retryAfter(ms: number | undefined): Record<string, string> {
  if (ms === undefined || !Number.isFinite(ms)) return {};
  return { 'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))) };
}

const SHUTTING_DOWN = new Set(['SchedulerClosed', 'GovernorClosed']);

export function classifyError(err: unknown): ErrorAnswer {
  const answer = (status: number, code: string, message: string, headers: Record<string, string> = {}): ErrorAnswer => ({
    status,
    code,
    message,
    headers,
    internal: false,
  });
  if (err instanceof HttpError) return answer(err.status, err.code, err.message, err.headers);
  if (err instanceof IndicatorError) return answer(400, 'InvalidIndicator', err.message);
  // a key paused for ever was refused upstream (401/403): that is no quota the caller can wait for
  if (err instanceof QuotaExhaustedError && !Number.isFinite(err.retryInMs)) return upstreamAuth();
  if (err instanceof QuotaExhaustedError) return answer(429, err.code, err.message, retryAfter(err.retryInMs));
  if (err instanceof UpstreamUnavailableError) return answer(503, 'UpstreamUnavailable', err.message, retryAfter(err.retryInMs));
  if (err instanceof NotCachedError) return answer(404, 'NotCached', err.message);
  if (err instanceof ProviderUnavailableError) return answer(400, 'ProviderUnavailable', err.message);
  if (err instanceof WebhookTargetError) return answer(400, err.code, err.message);
  if (err instanceof RequestAbortedError) return answer(err.timedOut ? 503 : 499, err.timedOut ? 'RequestTimeout' : 'ClientClosedRequest', err.message);
  if (err instanceof VtError) return fromUpstream(err);
  const name = (err as { name?: unknown })?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return answer(503, 'RequestTimeout', 'the request was stopped before it finished');
  const code = (err as { code?: unknown })?.code;
  const message = (err as { message?: unknown })?.message;
  const text = typeof message === 'string' ? message : '';
  if (code === 'QueueFull') return answer(429, 'QueueFull', text || 'the upstream queue is full; try again later', { 'Retry-After': '30' });
  if (code === 'KeyUnhealthy') return upstreamAuth();
  // PostgreSQL unreachable (and, for a write, the in-memory queue full): the store's StoreUnavailableError
  if (code === 'StoreUnavailable') return answer(503, 'StoreUnavailable', text || 'the database is unreachable', { 'Retry-After': '5' });
  if (code === 'InvalidFile') return answer(400, 'InvalidFile', text);
  if (code === 'BatchNotFound') return answer(404, 'NotFound', text);
  if (typeof code === 'string' && SHUTTING_DOWN.has(code)) return answer(503, 'ShuttingDown', 'the gateway is shutting down', { 'Retry-After': '5' });
  if (text === 'the gateway is closed') return answer(503, 'ShuttingDown', 'the gateway is shutting down', { 'Retry-After': '5' });
  return { status: 500, code: 'InternalError', message: 'internal error', headers: {}, internal: true };
}

/** The gateway's upstream key was refused (the caller's own credentials were fine). */
function upstreamAuth(): ErrorAnswer {
  return { status: 502, code: 'UpstreamAuthError', message: "the upstream API refused the gateway's credentials; an operator must fix the key", headers: {}, internal: false };
}

function fromUpstream(err: VtError): ErrorAnswer {
  const base = { headers: {} as Record<string, string>, internal: false };
  if (err.status === 401 || err.status === 403) return upstreamAuth();
  if (err.status === 0) {
    if (err.code === 'FileTooLarge') return { ...base, status: 413, code: 'FileTooLarge', message: err.message };
    if (err.code === 'TimeoutError') return { ...base, status: 504, code: 'UpstreamTimeout', message: 'the upstream API did not answer in time' };
    return { ...base, status: 502, code: 'UpstreamUnavailable', message: 'the upstream API could not be reached' };
  }
  if (err.status === 429) return { ...base, status: 429, code: err.code, message: err.message, headers: retryAfter(err.retryAfterMs ?? 60_000) };
  // the upstream's 5xx is not the gateway's own: 503 when it says it is unavailable, else 502
  if (err.status === 503 || err.status === 504) {
    return { ...base, status: 503, code: 'UpstreamUnavailable', message: `the upstream API is unavailable (it answered ${err.status})`, headers: { 'Retry-After': '30' } };
  }
  if (err.status >= 500) return { ...base, status: 502, code: 'UpstreamError', message: `the upstream API failed (it answered ${err.status})` };
  if (err.status >= 400) return { ...base, status: err.status, code: err.code, message: err.message };
  return { ...base, status: 502, code: 'UpstreamError', message: err.message };
}

/** The VirusTotal error code for one of our answers (the /api/v3 surface speaks VT's codes only). */
export function vtErrorCode(status: number, code: string): string {
  const vtCodes = new Set([
    'BadRequestError',
    'InvalidArgumentError',
    'NotAvailableYet',
    'AuthenticationRequiredError',
    'WrongCredentialsError',
    'ForbiddenError',
    'NotFoundError',
    'AlreadyExistsError',
    'FailedDependencyError',
    'QuotaExceededError',
    'TooManyRequestsError',
    'TransientError',
    'DeadlineExceededError',
  ]);
  if (vtCodes.has(code)) return code;
  // vt-py retries TransientError for ever: a refused gateway key must read as the credentials error it is
  if (code === 'UpstreamAuthError') return 'WrongCredentialsError';
  if (status === 400 || status === 413 || status === 415 || status === 422) return code === 'InvalidIndicator' ? 'InvalidArgumentError' : 'BadRequestError';
  if (status === 401) return 'AuthenticationRequiredError';
  if (status === 403) return 'ForbiddenError';
  if (status === 404 || status === 405) return 'NotFoundError';
  if (status === 429) return code === 'QueueFull' ? 'TooManyRequestsError' : 'QuotaExceededError';
  if (status === 504) return 'DeadlineExceededError';
  return 'TransientError';
}
