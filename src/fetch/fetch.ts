/**
 * Scan-from-URL download: http and https only; every hop (the first and each redirect) is resolved
 * and checked by the shared guard before any connection, and the socket is pinned to the checked
 * address so a second DNS answer cannot redirect it. Size capped by the server, time bounded.
 * Query strings (presigned S3/MinIO links) are sent as given and never logged whole.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { type CheckedTarget, checkTarget, type ResolveFn } from '../net/index.js';

export class FetchRefusedError extends Error {
  override name = 'FetchRefusedError';
  readonly code = 'FetchRefused';
}

export class FetchFailedError extends Error {
  override name = 'FetchFailedError';
  readonly code = 'FetchFailed';
}

export interface FetchOptions {
  /** Hosts or addresses that may be private (VTG_FETCH_ALLOWLIST). */
  allowlist: readonly string[];
  /** Largest body accepted (set by the server, never by the client). */
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  resolve?: ResolveFn;
  signal?: AbortSignal;
  /** Called just before each connection (tests prove refused hops never connect). */
  onConnect?: (address: string, port: number) => void;
}

export interface Fetched {
  data: Buffer;
  /** The final URL without its query string. */
  url: string;
  /** A file name from Content-Disposition or the last path segment. */
  name: string;
  contentType: string | null;
  hops: number;
}

/** The URL as it may be logged: no credentials, no query string (presigned signatures stay secret). */
export function redactUrl(raw: string | URL): string {
  try {
    const u = new URL(String(raw));
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

const wording = {
  what: 'fetch URL',
  allowlistName: 'VTG_FETCH_ALLOWLIST',
  error: (m: string) => new FetchRefusedError(m),
};

export async function fetchUrl(raw: string, options: FetchOptions): Promise<Fetched> {
  const deadline = Date.now() + options.timeoutMs;
  const maxRedirects = options.maxRedirects ?? 5;
  let current = raw;
  for (let hop = 0; ; hop++) {
    const target = await checkTarget(current, { allowlist: options.allowlist, resolve: options.resolve }, wording);
    const res = await get(target, options, deadline);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= maxRedirects) throw new FetchFailedError(`more than ${maxRedirects} redirects`);
      current = new URL(res.headers.location, target.url).href;
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw new FetchFailedError(`${redactUrl(target.url)} answered HTTP ${status}`);
    }
    const data = await readCapped(res, options.maxBytes, deadline);
    return { data, url: redactUrl(target.url), name: nameOf(target.url, res), contentType: res.headers['content-type'] ?? null, hops: hop };
  }
}

function get(target: CheckedTarget, options: FetchOptions, deadline: number): Promise<IncomingMessage> {
  const { url, address, family } = target;
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  // The socket goes to the address that was checked, whatever a new DNS answer would say.
  const pinned = ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const left = deadline - Date.now();
    if (left <= 0) return reject(new FetchFailedError('fetch timed out'));
    options.onConnect?.(address, port);
    const req = request(
      {
        protocol: url.protocol,
        hostname: target.hostname,
        port,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        lookup: pinned,
        headers: { 'user-agent': 'vt-gateway-fetch', accept: '*/*' },
        signal: options.signal,
        timeout: left,
        agent: false,
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(new FetchFailedError('fetch timed out')));
    req.on('error', (err) => reject(err instanceof FetchFailedError ? err : new FetchFailedError(`${redactUrl(url)}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
    req.end();
  });
}

function readCapped(res: IncomingMessage, maxBytes: number, deadline: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    return Promise.reject(new FetchRefusedError(`the file is ${declared} bytes; this server fetches at most ${maxBytes}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => res.destroy(new FetchFailedError('fetch timed out')), Math.max(0, deadline - Date.now()));
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        res.destroy(new FetchRefusedError(`the file passed ${maxBytes} bytes; this server fetches at most that`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    res.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.complete) reject(new FetchFailedError('the connection closed before the file was complete'));
    });
  });
}

function nameOf(url: URL, res: IncomingMessage): string {
  const cd = res.headers['content-disposition'];
  const m = cd ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd) : null;
  const raw = m?.[1] ?? decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '') ?? '';
  return raw.replace(/[/\\]/g, '_').slice(0, 200) || 'download';
}
