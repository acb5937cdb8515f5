/**
 * Mock mode: every /api/v3 answer says it came from the built-in simulator with a top-level
 * `"simulated": true` beside `data`. VirusTotal clients read `data`, `meta` and `links` from the
 * envelope (vt-py takes `data`; vt-go decodes into a struct, which ignores unknown keys).
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../types.js';

export const markSimulated: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const res = c.res;
  if (res.status < 200 || res.status >= 300 || !res.headers.get('content-type')?.includes('application/json')) return;
  const body = (await res
    .clone()
    .json()
    .catch(() => undefined)) as unknown;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  c.res = new Response(JSON.stringify({ ...body, simulated: true }), { status: res.status, headers });
};
