/**
 * One HTTP exchange with VirusTotal over undici: time limit, cancellation, gzip, a size cap on the
 * answer, and transport failures turned into VtNetworkError / VtTimeoutError whose text never holds
 * a secret. HTTP error statuses are returned, not thrown: the caller decides (raw() passes them on).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, inflate as inflateCb } from 'node:zlib';
import { type Dispatcher, request } from 'undici';
import { scrubError, scrubText, VtError, VtNetworkError, VtResponseError, VtTimeoutError } from './errors.js';

const gunzip = promisify(gunzipCb);
const inflate = promisify(inflateCb);

/** Largest answer accepted (compressed or not); VT objects are well below 1 MB. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export interface TransportConfig {
  dispatcher: Dispatcher;
  timeoutMs: number;
  /** Values scrubbed from every error text (API key, proxy credentials). */
  secrets: readonly string[];
}

export interface Exchange {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  /** A string/Buffer, or a body stream factory (called once; `progress` resets the idle timer). */
  body?: string | Buffer | ((progress: () => void) => Readable);
  /** For messages: e.g. `GET /files/{id}`; never a full URL. */
  describe: string;
  signal?: AbortSignal | undefined;
  /**
   * 'deadline' (default): the whole exchange must finish within timeoutMs.
   * 'idle': timeoutMs without progress (upload chunks, answer bytes) ends it, for big uploads.
   */
  timeoutMode?: 'deadline' | 'idle';
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  contentType: string | null;
  /** Decoded text of the body ('' when empty). */
  text: string;
}

const TIMEOUT = Symbol('vt-timeout');

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

export async function exchange(config: TransportConfig, ex: Exchange): Promise<Answer> {
  const { signal } = ex;
  if (signal?.aborted) throw abortReason(signal);
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(TIMEOUT), config.timeoutMs);
  };
  const progress = ex.timeoutMode === 'idle' ? arm : () => {};
  arm();
  try {
    const body = typeof ex.body === 'function' ? ex.body(progress) : ex.body;
    const res = await request(ex.url, {
      method: ex.method,
      headers: ex.headers,
      body: body ?? null,
      signal: controller.signal,
      dispatcher: config.dispatcher,
      // our own timer governs; undici's default 300 s limits would cut long uploads short
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const raw = await readCapped(res.body, progress, ex.describe);
    const text = await decode(raw, res.headers['content-encoding'], res.statusCode, ex.describe);
    const type = res.headers['content-type'];
    return {
      status: res.statusCode,
      headers: res.headers,
      contentType: (Array.isArray(type) ? type[0] : type) ?? null,
      text,
    };
  } catch (err) {
    if (signal?.aborted) throw abortReason(signal);
    if (controller.signal.aborted && controller.signal.reason === TIMEOUT) {
      throw new VtTimeoutError(
        scrubText(`VirusTotal did not answer within ${config.timeoutMs} ms (${ex.describe})`, config.secrets),
        config.timeoutMs,
      );
    }
    if (err instanceof VtError) throw scrubError(err, config.secrets);
    throw networkError(err, ex.describe, config);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

async function readCapped(body: AsyncIterable<Buffer>, progress: () => void, describe: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      throw new VtResponseError(`VirusTotal answer is larger than ${MAX_ANSWER_BYTES} bytes (${describe})`, 0);
    }
    progress();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function decode(raw: Buffer, encoding: string | string[] | undefined, status: number, describe: string): Promise<string> {
  const enc = (Array.isArray(encoding) ? encoding[0] : encoding)?.trim().toLowerCase();
  if (!enc || enc === 'identity' || raw.length === 0) return raw.toString('utf8');
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return (await gunzip(raw, { maxOutputLength: MAX_ANSWER_BYTES })).toString('utf8');
    if (enc === 'deflate') return (await inflate(raw, { maxOutputLength: MAX_ANSWER_BYTES })).toString('utf8');
  } catch {
    throw new VtResponseError(`VirusTotal answer could not be decompressed (${enc}, ${describe})`, status);
  }
  throw new VtResponseError(`VirusTotal answer has an unsupported Content-Encoding ${JSON.stringify(enc)} (${describe})`, status);
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed before a complete answer',
  UND_ERR_CLOSED: 'client closed',
  UND_ERR_DESTROYED: 'client closed',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'request body length mismatch',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'answer shorter than announced',
};
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errnoOf(err: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = err;
  // the code can sit on the error, its cause, or the first of an AggregateError's errors
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof e.code === 'string' && e.code) return e.code;
    current = Array.isArray(e.errors) && e.errors.length > 0 ? e.errors[0] : e.cause;
  }
  return 'unknown';
}

/** A new error built from the failure's code only: undici's own message and cause are left behind. */
function networkError(err: unknown, describe: string, config: TransportConfig): VtError {
  const errno = errnoOf(err);
  if (TIMEOUT_CODES.has(errno)) {
    return new VtTimeoutError(scrubText(`VirusTotal request timed out (${errno}, ${describe})`, config.secrets), config.timeoutMs);
  }
  const reason = NETWORK_REASONS[errno] ?? 'request failed';
  return new VtNetworkError(scrubText(`VirusTotal request failed: ${reason} (${errno}, ${describe})`, config.secrets), errno);
}
