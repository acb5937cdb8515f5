import type { Context } from 'hono';
import type { AppEnv } from './types.js';

/**
 * A JSON answer with plain headers (X-Request-Id included): the fast path through @hono/node-server.
 * Setting headers through hono instead builds a Headers object, which costs more than a cache hit.
 */
export function jsonResponse(c: Context<AppEnv>, text: string | Uint8Array, status = 200, headers: Record<string, string> = {}): Response {
  c.set('headersDone', true);
  return new Response(text, { status, headers: { 'content-type': 'application/json', 'x-request-id': c.get('requestId'), ...headers } });
}
