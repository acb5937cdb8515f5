/** Turns a raw upstream answer (gateway.vtRaw) into our response without leaking upstream auth failures. */
import type { Context } from 'hono';
import { HttpError } from '../errors.js';
import type { AppEnv } from '../types.js';
import { requestOrigin, rewriteLinks } from './links.js';

export function rawAnswer(c: Context<AppEnv>, answer: { status: number; body: unknown }): Response {
  const { status, body } = answer;
  if (status === 401 || status === 403) {
    // the client's own token was fine: it is the gateway's upstream key that was refused
    throw new HttpError(502, 'TransientError', "the upstream API refused the gateway's credentials");
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (status === 429) {
    const code = typeof error?.code === 'string' ? error.code : 'QuotaExceededError';
    throw new HttpError(429, code, typeof error?.message === 'string' ? error.message : 'upstream quota exceeded', { 'Retry-After': '60' });
  }
  if (status >= 200 && status < 300) {
    if (body === null || typeof body !== 'object') throw new HttpError(502, 'TransientError', 'the upstream answer was not JSON');
    return c.json(rewriteLinks(body, requestOrigin(c)), 200);
  }
  if (status >= 400 && status < 600 && error && typeof error.code === 'string') {
    return c.json({ error: { code: error.code, message: typeof error.message === 'string' ? error.message : '' } }, status as 400);
  }
  throw new HttpError(502, 'TransientError', `the upstream API answered HTTP ${status}`);
}
