/**
 * Dashboard sessions. Signing in with a gateway token sets an HttpOnly, SameSite=Strict cookie that
 * names a session kept in the store (`gateway.tokens.sessions`: a restart or a second instance knows
 * it; the token itself never reaches the page's scripts). A request that carries the cookie and no
 * Authorization/X-Apikey header is authenticated with the session's token, through the same checks
 * as a bearer token (a revoked token ends its sessions). Every state-changing request made with the
 * cookie must carry the session's CSRF token in `X-CSRF-Token`. Cross-site requests never get here:
 * the server-wide Host/Origin rule (middleware/host-origin.ts) refuses them first.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { SESSION_TTL_MS } from '../../gateway/index.js';
import type { AppDeps, AppEnv } from '../types.js';

export const SESSION_COOKIE = 'vtg_session';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_MAX_AGE_S = SESSION_TTL_MS / 1000;

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(c: Context<AppEnv>, value: string, maxAgeSeconds: number): string {
  const secure = new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Turns a session cookie into the session's token for `authenticate` (via `sessionToken`), and
 * refuses CSRF-less state-changing requests that rely on the cookie.
 */
export function sessionMiddleware(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    const id = cookieValue(c.req.header('cookie'), SESSION_COOKIE);
    const apiPath = (path.startsWith('/api/') && !path.startsWith('/api/v3')) || path === '/metrics';
    if (id !== undefined && apiPath && !c.req.header('authorization') && c.req.header('x-apikey') === undefined) {
      const session = await deps.gateway.tokens.sessions.get(id);
      if (session) {
        if (!SAFE.has(c.req.method) && !sameToken(c.req.header(CSRF_HEADER), session.csrf)) {
          return c.json({ error: { code: 'CsrfTokenMismatch', message: `a request signed in with the session cookie needs its CSRF token in ${CSRF_HEADER}` } }, 403);
        }
        if (session.token) c.set('sessionToken', session.token);
      }
    }
    await next();
  };
}
