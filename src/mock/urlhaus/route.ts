/**
 * URLhaus query API simulator as a MockRoute: POST /v1/url/, /v1/host/, /v1/payload/ with
 * form-encoded or JSON bodies. Errors travel in `query_status` with HTTP 200, as upstream does;
 * a missing (or, with `keys`, unknown) Auth-Key is an HTTP 401.
 */
import type { IncomingMessage } from 'node:http';
import type { MockContext, MockRoute } from '../index.js';
import { simulatedHostLookup, simulatedPayloadLookup, simulatedUrlLookup } from './simulate.js';

export interface UrlhausRouteOptions {
  /** Accepted Auth-Keys; when absent any non-empty key is accepted. */
  keys?: string[];
  /** Requests per clock second before 429 (default 10). */
  limits?: { perSecond?: number };
}

const PATHS: Record<string, 'url' | 'host' | 'payload'> = {
  '/v1/url/': 'url',
  '/v1/host/': 'host',
  '/v1/payload/': 'payload',
};

export function createUrlhausRoute(options: UrlhausRouteOptions = {}): MockRoute {
  const perSecond = options.limits?.perSecond ?? 10;
  const keys = options.keys ? new Set(options.keys) : undefined;
  let windowSecond = -1;
  let windowCount = 0;

  return async (req, res, url, ctx) => {
    const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    const kind = PATHS[path];
    if (!kind) return false;
    const endpoint = `POST ${path}`;
    const key = headerValue(req, 'auth-key');
    const answer = (status: number, body: unknown) => {
      ctx.record(endpoint, key, status);
      ctx.json(res, status, body);
    };

    if (await ctx.applyFaults(req, res, endpoint, key)) return true;
    if (!key || (keys && !keys.has(key))) {
      req.resume();
      answer(401, { query_status: 'unknown_auth_key' });
      return true;
    }
    const second = Math.floor(ctx.clock.now() / 1000);
    if (second !== windowSecond) {
      windowSecond = second;
      windowCount = 0;
    }
    if (++windowCount > perSecond) {
      req.resume();
      res.setHeader('Retry-After', '1');
      answer(429, { query_status: 'rate_limited' });
      return true;
    }
    if (req.method !== 'POST') {
      req.resume();
      answer(200, { query_status: 'http_post_expected' });
      return true;
    }
    let form: Record<string, string>;
    try {
      form = await readForm(req, ctx);
    } catch {
      answer(413, { query_status: 'request_too_large' });
      return true;
    }
    if (kind === 'url') answer(200, form.url ? simulatedUrlLookup(form.url) : { query_status: 'invalid_url' });
    else if (kind === 'host') answer(200, form.host ? simulatedHostLookup(form.host) : { query_status: 'invalid_host' });
    else if (form.sha256_hash !== undefined) answer(200, simulatedPayloadLookup(form.sha256_hash, 'sha256_hash'));
    else if (form.md5_hash !== undefined) answer(200, simulatedPayloadLookup(form.md5_hash, 'md5_hash'));
    else answer(200, { query_status: 'invalid_sha256' });
    return true;
  };
}

function headerValue(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

/** The body as a flat string map, from `application/x-www-form-urlencoded` or a JSON object. */
async function readForm(req: IncomingMessage, ctx: MockContext): Promise<Record<string, string>> {
  const text = (await ctx.readBody(req, 64 * 1024)).toString('utf8');
  const type = headerValue(req, 'content-type').toLowerCase();
  const out: Record<string, string> = {};
  if (type.includes('json') || text.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
      }
    } catch {
      // an unreadable JSON body is an empty query
    }
    return out;
  }
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}
