/**
 * One error class per VirusTotal error code (vt-api.md section 4), plus our own transport errors.
 * Every error carries `status`, `code`, `retryable` and, when the answer had one, `retryAfterMs`.
 * None of them keeps an undici error as `cause`: those can carry request headers (the API key).
 */

export interface VtErrorInit {
  /** HTTP status, or 0 when no answer arrived (network error, timeout, local refusal). */
  status: number;
  code: string;
  retryable?: boolean;
  retryAfterMs?: number | undefined;
}

export class VtError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(message: string, init: VtErrorInit) {
    super(message);
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable ?? (init.status === 429 || init.status >= 500);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      status: this.status,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}

export interface VtCodeErrorInit {
  status?: number;
  code?: string;
  retryAfterMs?: number | undefined;
}

function vtCodeError(code: string, status: number, retryable: boolean) {
  return class extends VtError {
    constructor(message: string, init: VtCodeErrorInit = {}) {
      super(message, { status: init.status ?? status, code: init.code ?? code, retryable, retryAfterMs: init.retryAfterMs });
    }
  };
}

export class BadRequestError extends vtCodeError('BadRequestError', 400, false) {}
export class InvalidArgumentError extends vtCodeError('InvalidArgumentError', 400, false) {}
export class NotAvailableYetError extends vtCodeError('NotAvailableYet', 400, false) {}
export class UnselectiveContentQueryError extends vtCodeError('UnselectiveContentQueryError', 400, false) {}
export class UnsupportedContentQueryError extends vtCodeError('UnsupportedContentQueryError', 400, false) {}
export class AuthenticationRequiredError extends vtCodeError('AuthenticationRequiredError', 401, false) {}
export class UserNotActiveError extends vtCodeError('UserNotActiveError', 401, false) {}
export class WrongCredentialsError extends vtCodeError('WrongCredentialsError', 401, false) {}
export class ForbiddenError extends vtCodeError('ForbiddenError', 403, false) {}
export class NotFoundError extends vtCodeError('NotFoundError', 404, false) {}
export class AlreadyExistsError extends vtCodeError('AlreadyExistsError', 409, false) {}
export class FailedDependencyError extends vtCodeError('FailedDependencyError', 424, false) {}
export class QuotaExceededError extends vtCodeError('QuotaExceededError', 429, true) {}
export class TooManyRequestsError extends vtCodeError('TooManyRequestsError', 429, true) {}
export class TransientError extends vtCodeError('TransientError', 503, true) {}
export class DeadlineExceededError extends vtCodeError('DeadlineExceededError', 504, true) {}

/** Connection refused, reset or dropped before a complete answer. `errno` is the system/undici code. */
export class VtNetworkError extends VtError {
  readonly errno: string;
  constructor(message: string, errno = 'unknown') {
    super(message, { status: 0, code: 'NetworkError', retryable: true });
    this.errno = errno;
  }
}

/** Our own time limit (`timeoutMs`) ran out. */
export class VtTimeoutError extends VtError {
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number) {
    super(message, { status: 0, code: 'TimeoutError', retryable: true });
    this.timeoutMs = timeoutMs;
  }
}

/** A successful status with a body that is not the documented shape (not JSON, no data.type/id ...). */
export class VtResponseError extends VtError {
  constructor(message: string, status: number) {
    super(message, { status, code: 'InvalidResponse', retryable: false });
  }
}

/** A file VirusTotal would refuse (over 650 MiB), refused before any request. */
export class VtFileTooLargeError extends VtError {
  readonly size: number;
  constructor(message: string, size: number) {
    super(message, { status: 0, code: 'FileTooLarge', retryable: false });
    this.size = size;
  }
}

type VtCodeErrorClass = new (message: string, init?: VtCodeErrorInit) => VtError;

const BY_CODE: Record<string, VtCodeErrorClass> = {
  BadRequestError,
  InvalidArgumentError,
  NotAvailableYet: NotAvailableYetError,
  NotAvailableYetError,
  UnselectiveContentQueryError,
  UnsupportedContentQueryError,
  AuthenticationRequiredError,
  UserNotActiveError,
  WrongCredentialsError,
  ForbiddenError,
  NotFoundError,
  AlreadyExistsError,
  FailedDependencyError,
  QuotaExceededError,
  TooManyRequestsError,
  TransientError,
  DeadlineExceededError,
};

const BY_STATUS: Record<number, VtCodeErrorClass> = {
  400: BadRequestError,
  401: AuthenticationRequiredError,
  403: ForbiddenError,
  404: NotFoundError,
  409: AlreadyExistsError,
  424: FailedDependencyError,
  429: TooManyRequestsError,
  503: TransientError,
  504: DeadlineExceededError,
};

export type ResponseHeaders = Headers | Record<string, string | string[] | undefined>;

function header(headers: ResponseHeaders | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` in ms, from seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `{error: {code, message}}` from a parsed or raw body, else a short text snippet. */
function readErrorBody(body: unknown): { code?: string; message?: string } {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    const raw = value;
    try {
      value = JSON.parse(raw);
    } catch {
      const text = raw.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
      return text ? { message: text.length > 200 ? `${text.slice(0, 200)}…` : text } : {};
    }
  }
  const error = value && typeof value === 'object' ? (value as { error?: unknown }).error : undefined;
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return {
      ...(typeof code === 'string' && code ? { code } : {}),
      ...(typeof message === 'string' ? { message } : {}),
    };
  }
  return {};
}

/**
 * The error for a VirusTotal answer: the class of its `error.code`, else the class of its HTTP
 * status, else a plain VtError (retryable for 429 and 5xx). Works for non-JSON bodies too.
 */
export function errorFromResponse(status: number, body: unknown, headers?: ResponseHeaders, now = Date.now()): VtError {
  const { code, message } = readErrorBody(body);
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), now);
  const known = code ? BY_CODE[code] : undefined;
  const shownCode = code ?? `HTTP${status}`;
  const text = `VirusTotal answered ${status} ${shownCode}${message ? `: ${message}` : ''}`;
  if (known) return new known(text, { status, retryAfterMs });
  const byStatus = BY_STATUS[status];
  if (byStatus) return new byStatus(text, { status, code: shownCode, retryAfterMs });
  return new VtError(text, { status, code: shownCode, retryAfterMs });
}

/** Replaces every occurrence of each secret (and its URL-encoded form) with `[redacted]`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('[redacted]');
  }
  return out;
}

/** Removes the secrets from an error's message and stack, in place. */
export function scrubError<T extends Error>(err: T, secrets: readonly string[]): T {
  const message = scrubText(err.message, secrets);
  if (message !== err.message) err.message = message;
  if (typeof err.stack === 'string') {
    const stack = scrubText(err.stack, secrets);
    if (stack !== err.stack) err.stack = stack;
  }
  return err;
}
