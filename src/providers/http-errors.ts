/**
 * Errors of the non-VirusTotal providers (URLhaus, DShield, SPUR), shaped like the VT client's errors
 * (`status`, `code`, `retryable`, `retryAfterMs`) so the scheduler treats every upstream alike:
 * 'QuotaExceededError' pauses the key, 'TransientError' backs off, 'WrongCredentialsError' fails fast.
 *
 * Also the one HTTP call those clients make (`callUpstream`): undici `request` with a total timeout,
 * a body size cap, and every failure turned into a ProviderError whose text never holds a secret.
 */
import { request } from 'undici';
import type { Clock } from '../clock/index.js';
import type { ProviderName } from './types.js';

export type ProviderErrorCode =
  | 'BadRequestError'
  | 'WrongCredentialsError'
  | 'ForbiddenError'
  | 'NotFoundError'
  | 'QuotaExceededError'
  | 'TransientError'
  | 'NetworkError'
  | 'TimeoutError'
  | 'InvalidResponseError'
  | 'ProviderError';

export interface ProviderErrorInit {
  provider: ProviderName;
  status: number;
  code: ProviderErrorCode;
  message: string;
  retryable?: boolean;
  retryAfterMs?: number;
}

export class ProviderError extends Error {
  readonly provider: ProviderName;
  /** HTTP status, or 0 when no answer arrived (network error, timeout). */
  readonly status: number;
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(init: ProviderErrorInit) {
    super(init.message);
    this.name = 'ProviderError';
    this.provider = init.provider;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable ?? defaultRetryable(init.code, init.status);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      provider: this.provider,
      status: this.status,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}

function defaultRetryable(code: ProviderErrorCode, status: number): boolean {
  if (code === 'QuotaExceededError' || code === 'TransientError' || code === 'NetworkError' || code === 'TimeoutError') {
    return true;
  }
  return status === 429 || status >= 500;
}

/** Maps an HTTP error status to the code the scheduler understands. */
export function codeForStatus(status: number): ProviderErrorCode {
  if (status === 400 || status === 422) return 'BadRequestError';
  if (status === 401) return 'WrongCredentialsError';
  if (status === 403) return 'ForbiddenError';
  if (status === 404) return 'NotFoundError';
  if (status === 429) return 'QuotaExceededError';
  if (status >= 500) return 'TransientError';
  return 'ProviderError';
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Replaces every occurrence of each secret (and its URL-encoded form) by `[redacted]`. */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 3) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('[redacted]');
  }
  return out;
}

export function errorFromStatus(
  provider: ProviderName,
  status: number,
  detail: string,
  retryAfterMs: number | undefined,
  secrets: ReadonlyArray<string | undefined>,
): ProviderError {
  const code = codeForStatus(status);
  const suffix = detail ? `: ${scrubSecrets(detail, secrets).slice(0, 200)}` : '';
  const init: ProviderErrorInit = { provider, status, code, message: `${provider} answered HTTP ${status}${suffix}` };
  if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
  return new ProviderError(init);
}

export interface UpstreamCall {
  provider: ProviderName;
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  clock: Clock;
  /** Values that must never appear in an error (keys, tokens, contact e-mail). */
  secrets: ReadonlyArray<string | undefined>;
  /** Largest body accepted, in bytes. */
  maxBodyBytes?: number;
}

export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const TIMEOUT = Symbol('timeout');

/**
 * One HTTP request. Resolves with any 2xx answer; rejects with a ProviderError for every HTTP error,
 * network failure or timeout, and with the caller's abort reason when the caller's signal aborts.
 */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamAnswer> {
  const { provider, signal, secrets } = call;
  signal?.throwIfAborted();
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(TIMEOUT), call.timeoutMs);
  try {
    const res = await request(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body ?? null,
      signal: controller.signal,
    });
    const text = await readCapped(res.body, call.maxBodyBytes ?? 8 * 1024 * 1024, provider);
    if (res.statusCode >= 200 && res.statusCode < 300) {
      return { status: res.statusCode, headers: res.headers, text };
    }
    const retryAfter = parseRetryAfter(res.headers['retry-after'], call.clock.now());
    throw errorFromStatus(provider, res.statusCode, errorDetail(text), retryAfter, secrets);
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    if (signal?.aborted) throw signal.reason;
    if (controller.signal.aborted && controller.signal.reason === TIMEOUT) {
      throw new ProviderError({
        provider,
        status: 0,
        code: 'TimeoutError',
        message: `${provider} did not answer within ${call.timeoutMs} ms`,
      });
    }
    throw networkError(provider, err, secrets);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

async function readCapped(body: AsyncIterable<Buffer | Uint8Array>, limit: number, provider: ProviderName): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      throw new ProviderError({
        provider,
        status: 0,
        code: 'InvalidResponseError',
        retryable: false,
        message: `${provider} answer is larger than ${limit} bytes`,
      });
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A short readable reason from an error body (JSON `error`/`message`/`query_status`, else the text). */
function errorDetail(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      for (const key of ['error', 'message', 'query_status', 'detail']) {
        const v = o[key];
        if (typeof v === 'string') return v;
        if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).message === 'string') {
          return (v as Record<string, string>).message as string;
        }
      }
    }
  } catch {
    // not JSON: fall through to the text itself
  }
  return trimmed.replace(/\s+/g, ' ');
}

/** Wraps a transport error without keeping it as `cause` (undici errors can carry request details). */
function networkError(provider: ProviderName, err: unknown, secrets: ReadonlyArray<string | undefined>): ProviderError {
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'error';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const timeout = /TIMEOUT/i.test(code);
  return new ProviderError({
    provider,
    status: 0,
    code: timeout ? 'TimeoutError' : 'NetworkError',
    message: scrubSecrets(`${provider} request failed (${code}): ${message}`, secrets).slice(0, 300),
  });
}

/** Parses a JSON body or throws an InvalidResponseError (a 200 with HTML, XML or garbage). */
export function parseJsonBody(provider: ProviderName, text: string, secrets: ReadonlyArray<string | undefined>): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const start = scrubSecrets(text.slice(0, 40).replace(/\s+/g, ' '), secrets);
    throw new ProviderError({
      provider,
      status: 200,
      code: 'InvalidResponseError',
      retryable: false,
      message: `${provider} answered something that is not JSON (${start}...)`,
    });
  }
}

// Lenient readers for upstream JSON: these APIs send numbers as strings, "" for nothing, nulls anywhere.

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** A number from a number or a digit string; null for null, "", or anything else. */
export function lenientNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A non-empty string, or null. */
export function lenientString(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** true/false from booleans, "true"/"false", 1/0; null otherwise. */
export function lenientBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 1 || value === '1') return true;
  if (value === 'false' || value === 0 || value === '0') return false;
  return null;
}

export function lenientStrings(value: unknown): string[] {
  if (!Array.isArray(value)) return typeof value === 'string' && value ? [value] : [];
  return value.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** Epoch ms from "2019-01-19 01:33:26 UTC", "2019-01-19", ISO text; null when unreadable. */
export function lenientDate(value: unknown): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  let text = value.trim().replace(/ UTC$/, 'Z');
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z?$/.test(text)) text = text.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(text)) text += 'Z';
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** The package version and the User-Agent: one home, `src/common/version.ts`. */
export { userAgent as gatewayUserAgent } from '../common/version.js';
