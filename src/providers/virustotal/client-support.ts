/** The VirusTotal client's options, call shapes and small pure helpers (kept beside client.ts to keep it short). */
import type { z } from 'zod';
import type { CallKind, RequestOptions } from '../types.js';
import { VtResponseError } from './errors.js';
import type { Exchange } from './transport.js';
import { type QuotaWindow, quotaWindowSchema } from './types.js';

export { DIRECT_UPLOAD_LIMIT, MAX_UPLOAD_SIZE } from './sizes.js';
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_BASE_URL = 'https://www.virustotal.com';
export const API_PREFIX = '/api/v3';

export interface VirusTotalClientOptions {
  /** The key calls go out on unless their permit names a pool member. */
  apiKey: string;
  /** A key pool: each member's secret under its governor key (the name a permit resolves to). */
  poolKeys?: Readonly<Record<string, string>>;
  /** Origin; default 'https://www.virustotal.com' (config reads VTG_VIRUSTOTAL_URL). The client adds /api/v3. */
  baseUrl?: string;
  /** Per request; for uploads, the longest time without progress. Default 30000. */
  timeoutMs?: number;
  /** Proxy URL; default none, or the one `env` names (HTTPS_PROXY for https origins, NO_PROXY honoured). */
  proxy?: string;
  /** Environment to take the proxy from when `proxy` is not given (the client never reads process.env). */
  env?: Record<string, string | undefined>;
  /** Default 'vt-gateway/<version>; gzip'. */
  userAgent?: string;
}

export interface CollectionParams {
  cursor?: string;
  limit?: number;
}

export interface IterateParams {
  /** Most objects to yield in all. */
  limit?: number;
  /** Objects asked for per page (`limit` query parameter). */
  pageSize?: number;
}

export interface ScanFileParams {
  /** Password of an encrypted ZIP. */
  password?: string;
  /** Name sent to VirusTotal; default the file's base name. */
  filename?: string;
}

export interface ApiUsageOptions extends RequestOptions {
  /** YYYY-MM-DD (or YYYYMMDD); VT keeps 60 days and answers at most 30 per request. */
  startDate?: string;
  endDate?: string;
}

export interface RawInit {
  query?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as multipart/form-data streamed from disk (field `file`). */
  multipartFile?: { path: string; filename: string; fields?: Record<string, string> };
  /** Used instead of `path` (an upload URL). The key is only sent to VirusTotal's own hosts. */
  absoluteUrl?: string;
  /** What the governor should count this call as; default 'other'. */
  kind?: CallKind;
}

export interface RawAnswer {
  status: number;
  /** Parsed JSON, or null when the body was empty or not JSON. */
  body: unknown;
  contentType: string | null;
}

export interface Call {
  method: 'GET' | 'POST';
  /** Path under /api/v3 (already encoded), or an absolute URL. */
  target: string;
  query?: Record<string, string | undefined> | undefined;
  headers?: Record<string, string>;
  body?: Exchange['body'];
  describe: string;
  timeoutMode?: 'deadline' | 'idle';
}

export function segment(value: string, what: string): string {
  const text = value.trim();
  if (text === '' || /[\s\x00-\x1f\x7f]/.test(text)) throw new TypeError(`${what} must be a non-empty string without spaces`);
  return encodeURIComponent(text).replace(/%3A/gi, ':');
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** A relative API path (with optional query) that cannot climb out of /api/v3. */
export function checkedPath(path: string): string {
  const p = path.startsWith('/') ? path : `/${path}`;
  const pathname = p.split('?')[0] as string;
  if (/[\s\x00-\x1f\x7f\\#]/.test(p) || pathname.includes('//')) throw new TypeError('invalid VirusTotal API path');
  const segments = pathname.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  if (segments.some((s) => s === '.' || s === '..' || s.includes('/'))) throw new TypeError('invalid VirusTotal API path');
  return p;
}

export function checkedAbsoluteUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('invalid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('absolute URL must be http or https');
  return url;
}

/** The API key inside any string of a parsed answer (a user object carries `apikey`) is replaced. */
export function redact(value: unknown, secret: string): unknown {
  if (typeof value === 'string') return value.includes(secret) ? value.split(secret).join('[redacted]') : value;
  if (Array.isArray(value)) return value.map((v) => redact(v, secret));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, secret)]));
  }
  return value;
}

export function quotaWindow(value: unknown): QuotaWindow | undefined {
  const parsed = quotaWindowSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { user, group } = parsed.data;
  const window: QuotaWindow = { user: { allowed: user.allowed, used: user.used } };
  if (group) {
    window.group = { allowed: group.allowed, used: group.used };
    if (group.inherited_from !== undefined) window.group.inheritedFrom = group.inherited_from;
  }
  return window;
}

/** Object type each top-level collection must answer with (analyses/{id}/item may be a file or a URL). */
export const EXPECTED_TYPES: Record<string, string> = {
  files: 'file',
  urls: 'url',
  domains: 'domain',
  ip_addresses: 'ip_address',
  users: 'user',
};

/** The answer parsed with `schema`, or a VtResponseError naming the first mismatch. */
export function shaped<S extends z.ZodType>(schema: S, json: unknown, describe: string): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape';
  throw new VtResponseError(`VirusTotal answered an unexpected shape (${describe}): ${where}`, 200);
}
