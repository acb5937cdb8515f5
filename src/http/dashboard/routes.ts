/**
 * The dashboard's own routes: the page at `/` (the sign-in form without a session), sign-in and
 * sign-out, and its static assets. Its data comes from the same `/api` routes a script calls,
 * authenticated by the session cookie (see session.ts).
 */
import type { Hono } from 'hono';
import { authenticateHeaders, OPEN_PRINCIPAL } from '../middleware/auth.js';
import { HttpError } from '../errors.js';
import type { AppDeps, AppEnv, Principal } from '../types.js';
import { asset } from './assets.js';
import { shellPage, signInPage } from './pages.js';
import { cookieValue, SESSION_COOKIE, SESSION_MAX_AGE_S, sameToken, sessionCookie } from './session.js';

const HTML = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
const SECURITY = { 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin', 'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'" };

/** The principal a token stands for, or undefined when it is unknown or revoked. */
async function principalOf(deps: AppDeps, token: string | null): Promise<Principal | undefined> {
  if ((await deps.gateway.tokens.count()) === 0) return OPEN_PRINCIPAL;
  if (!token) return undefined;
  try {
    return (await authenticateHeaders((name) => (name === 'authorization' ? `Bearer ${token}` : undefined), deps, 'reader', 'api')) ?? undefined;
  } catch (err) {
    if (err instanceof HttpError) return undefined;
    throw err;
  }
}

async function formToken(req: Request): Promise<string | undefined> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded|^multipart\/form-data/i.test(type)) return undefined;
  const length = Number(req.headers.get('content-length') ?? '0');
  if (length > 16 * 1024) return undefined;
  const form = await req.formData();
  const token = form.get('token');
  return typeof token === 'string' ? token.trim() : undefined;
}

export function registerDashboard(app: Hono<AppEnv>, deps: AppDeps): void {
  const sessions = deps.gateway.tokens.sessions;
  const view = () => ({ version: deps.gateway.version, mock: deps.gateway.mock });

  app.get('/', async (c) => {
    const open = (await deps.gateway.tokens.count()) === 0;
    const id = cookieValue(c.req.header('cookie'), SESSION_COOKIE);
    let session = await sessions.get(id);
    const principal = await principalOf(deps, session?.token ?? null);
    if (!principal) return c.body(signInPage(view()), 200, { ...HTML, ...SECURITY });
    // open mode (no token configured, loopback only): the page opens directly; its session holds no
    // token, so nothing is stored and no cookie is set (a row per page load filled the store)
    session ??= sessions.unstored();
    return c.body(shellPage({ ...view(), csrf: session.csrf, principal, open }), 200, { ...HTML, ...SECURITY });
  });

  app.post('/dashboard/login', async (c) => {
    const token = await formToken(c.req.raw).catch(() => undefined);
    const principal = token && (await deps.gateway.tokens.count()) > 0 ? await principalOf(deps, token) : undefined;
    if (!token || !principal) {
      return c.body(signInPage({ ...view(), error: 'That token is unknown or revoked.' }), 401, { ...HTML, ...SECURITY });
    }
    await sessions.delete(cookieValue(c.req.header('cookie'), SESSION_COOKIE));
    const session = await sessions.create(token, principal.tokenId);
    return c.body(null, 303, { location: '/', 'set-cookie': sessionCookie(c, session.id, SESSION_MAX_AGE_S), 'cache-control': 'no-store' });
  });

  app.post('/dashboard/logout', async (c) => {
    const id = cookieValue(c.req.header('cookie'), SESSION_COOKIE);
    const session = await sessions.get(id);
    if (session && !sameToken(c.req.header('x-csrf-token'), session.csrf)) {
      return c.json({ error: { code: 'CsrfTokenMismatch', message: 'sign-out needs the CSRF token in X-CSRF-Token' } }, 403);
    }
    await sessions.delete(id);
    return c.json({ signedOut: true }, 200, { 'set-cookie': sessionCookie(c, '', 0), 'cache-control': 'no-store' });
  });

  app.get('/dashboard/assets/:name', async (c) => {
    const found = await asset(c.req.param('name'));
    if (!found) return c.json({ error: { code: 'NotFound', message: 'no such asset' } }, 404);
    return c.body(found.body, 200, { 'content-type': found.type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  });
}
