/**
 * Dashboard sessions. Signing in with a gateway token sets an HttpOnly, SameSite=Strict cookie that
 * names a server-side session (the token itself never reaches the page's scripts). A request that
 * carries the cookie and no Authorization/X-Apikey header is authenticated with the session's token,
 * through the same checks as a bearer token (a revoked token ends its sessions). Every state-changing
 * request made with the cookie must carry the session's CSRF token in `X-CSRF-Token`, and a
 * cross-site one (Origin or Sec-Fetch-Site) is refused outright.
 *
 * Sessions live in this process's memory: a restart signs everyone out, and several instances behind
 * a load balancer need sticky sessions.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../types.js';

export const SESSION_COOKIE = 'vtg_session';
export const CSRF_HEADER = 'x-csrf-token';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

export interface Session {
  id: string;
  /** The gateway token it signed in with, or null in open mode (no token configured). */
  token: string | null;
  csrf: string;
  expiresAt: number;
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  create(token: string | null, now = Date.now()): Session {
    this.#sweep(now);
    if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value as string);
    const session: Session = { id: randomBytes(32).toString('base64url'), token, csrf: randomBytes(32).toString('base64url'), expiresAt: now + SESSION_TTL_MS };
    this.#sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined, now = Date.now()): Session | undefined {
    if (!id) return undefined;
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= now) {
      this.#sessions.delete(id);
      return undefined;
    }
    return s;
  }

  delete(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }

  #sweep(now: number): void {
    for (const [id, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(id);
  }
}

const stores = new WeakMap<object, SessionStore>();

/** One store per gateway (the app is rebuilt by tests; sessions follow the gateway). */
export function sessionsOf(deps: AppDeps): SessionStore {
  let store = stores.get(deps.gateway);
  if (!store) {
    store = new SessionStore();
    stores.set(deps.gateway, store);
  }
  return store;
}

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

export const SESSION_MAX_AGE_S = SESSION_TTL_MS / 1000;

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when the browser says the request comes from another site (Sec-Fetch-Site, else Origin vs Host). */
export function crossSite(c: Context<AppEnv>): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = c.req.header('origin');
  if (!origin) return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host !== (c.req.header('host') ?? new URL(c.req.url).host);
  } catch {
    return true;
  }
}

export function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function refuse(c: Context<AppEnv>, code: string, message: string): Response {
  return c.json({ error: { code, message } }, 403);
}

/**
 * Turns a session cookie into the session's token for `authenticate` (via `sessionToken`), and
 * refuses cross-site or CSRF-less state-changing requests that rely on the cookie.
 */
export function sessionMiddleware(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    const unsafe = !SAFE.has(c.req.method);
    const id = cookieValue(c.req.header('cookie'), SESSION_COOKIE);
    if (unsafe && (id !== undefined || path.startsWith('/dashboard/')) && crossSite(c)) {
      return refuse(c, 'CrossSiteRequest', 'a state-changing request from another site is refused');
    }
    const apiPath = (path.startsWith('/api/') && !path.startsWith('/api/v3')) || path === '/metrics';
    if (id !== undefined && apiPath && !c.req.header('authorization') && c.req.header('x-apikey') === undefined) {
      const session = sessionsOf(deps).get(id);
      if (session) {
        if (unsafe && !sameToken(c.req.header(CSRF_HEADER), session.csrf)) {
          return refuse(c, 'CsrfTokenMismatch', `a request signed in with the session cookie needs its CSRF token in ${CSRF_HEADER}`);
        }
        if (session.token) c.set('sessionToken', session.token);
      }
    }
    await next();
  };
}
