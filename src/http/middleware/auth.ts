/**
 * Client authentication. `Authorization: Bearer <token>` on /api, `x-apikey: <token>` on /api/v3
 * (each also accepts the other). Once any token exists every request needs one, loopback included;
 * with none, the server is open and callers act as admin (startServer refuses that off loopback).
 */
import type { Context } from 'hono';
import type { TokenRole } from '../../gateway/index.js';
import { HttpError } from '../errors.js';
import type { AppDeps, AppEnv, Principal } from '../types.js';
import type { ConnectionMemo } from './connection.js';

/** Who may call a route: anyone, anyone when `server.publicHealth` is on, or a minimum role. */
export type Access = 'public' | 'health' | TokenRole;
export type Family = 'api' | 'v3';

const RANK: Record<TokenRole, number> = { reader: 1, analyst: 2, admin: 3 };

export const OPEN_PRINCIPAL: Principal = Object.freeze({ tokenId: null, name: 'local', role: 'admin', dailyBudget: null });

/** Reads a request header by lower-case name (hono's `c.req.header`, or node's `req.headers`). */
export type HeaderGetter = (name: string) => string | undefined;

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const WHITESPACE = /\s/;

export function presentedToken(header: HeaderGetter): string | undefined {
  const auth = header('authorization');
  if (auth) {
    // the usual form ("Bearer " and a token without whitespace) is read without running the full pattern
    if (auth.startsWith('Bearer ') && auth.length > 7) {
      const token = auth.slice(7);
      if (!WHITESPACE.test(token)) return token;
    }
    const m = BEARER.exec(auth);
    return m?.[1] ?? auth.trim();
  }
  const key = header('x-apikey');
  return key === undefined ? undefined : key.trim();
}

function missing(family: Family): HttpError {
  return family === 'v3'
    ? new HttpError(401, 'AuthenticationRequiredError', 'X-Apikey header is missing')
    : new HttpError(401, 'Unauthorized', 'this server needs a token: send Authorization: Bearer <token>', { 'WWW-Authenticate': 'Bearer' });
}

function wrong(family: Family): HttpError {
  return family === 'v3'
    ? new HttpError(401, 'WrongCredentialsError', 'Wrong API key')
    : new HttpError(401, 'InvalidToken', 'the token is unknown or revoked', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
}

function noTokens(family: Family): HttpError {
  const message = 'this server is bound off loopback and has no tokens: create one with vtg token create <name> --role admin';
  return new HttpError(401, family === 'v3' ? 'WrongCredentialsError' : 'NoTokens', message);
}

export function forbidden(family: Family, message: string): HttpError {
  return new HttpError(403, family === 'v3' ? 'ForbiddenError' : 'Forbidden', message);
}

const CLOSED_TTL_MS = 5000;
const OPEN_TTL_MS = 1000;
const tokenState = new WeakMap<object, { open: boolean; at: number }>();

/**
 * Whether the server is open (no live token), remembered briefly so the hot path skips a query:
 * 5 s once tokens exist (a stale answer can only keep the server closed), 1 s while there are none.
 * Tokens created or revoked through this server take effect at once (`tokensChanged`).
 */
function cachedOpen(tokens: AppDeps['gateway']['tokens'], now = performance.now()): boolean | undefined {
  const state = tokenState.get(tokens);
  if (state && now - state.at < (state.open ? OPEN_TTL_MS : CLOSED_TTL_MS)) return state.open;
  return undefined;
}

async function isOpen(tokens: AppDeps['gateway']['tokens']): Promise<boolean> {
  const cached = cachedOpen(tokens);
  if (cached !== undefined) return cached;
  const open = (await tokens.count()) === 0;
  tokenState.set(tokens, { open, at: performance.now() });
  return open;
}

const VERIFIED_TTL_MS = 1000;
const VERIFIED_MAX = 1024;
interface Verified {
  principal: Principal;
  at: number;
}
const verifiedTokens = new WeakMap<object, Map<string, Verified>>();
/** Bumped by `tokensChanged`: a verification a connection remembers (ConnectionMemo) from before is void. */
let tokensVersion = 0;

/**
 * The live token's caller, remembered for a second so that a busy client does not pay a sha256 and a
 * query on every request: a token revoked elsewhere (another process, the CLI) is refused within a
 * second; one revoked through this server at once (`tokensChanged`).
 */
function cachedVerification(tokens: AppDeps['gateway']['tokens'], token: string, now: number): Verified | undefined {
  const hit = verifiedTokens.get(tokens)?.get(token);
  return hit && now - hit.at < VERIFIED_TTL_MS ? hit : undefined;
}

async function verifiedPrincipal(tokens: AppDeps['gateway']['tokens'], token: string): Promise<Principal | undefined> {
  let known = verifiedTokens.get(tokens);
  if (!known) {
    known = new Map();
    verifiedTokens.set(tokens, known);
  }
  const hit = known.get(token);
  if (hit && performance.now() - hit.at < VERIFIED_TTL_MS) return hit.principal;
  const record = await tokens.verify(token);
  const now = performance.now();
  if (!record) {
    known.delete(token);
    return undefined;
  }
  const principal: Principal = Object.freeze({ tokenId: record.id, name: record.name, role: record.role, dailyBudget: record.dailyBudget });
  if (!hit && known.size >= VERIFIED_MAX) known.delete(known.keys().next().value as string);
  known.set(token, { principal, at: now });
  return principal;
}

/** Forget the remembered open/closed state and verified tokens (after creating or revoking a token). */
export function tokensChanged(tokens: AppDeps['gateway']['tokens']): void {
  tokenState.delete(tokens);
  verifiedTokens.delete(tokens);
  tokensVersion++;
}

/** The caller, or null when anonymous on a public route. Throws 401/403 HttpErrors. */
export function authenticate(c: Context<AppEnv>, deps: AppDeps, access: Access, family: Family): Promise<Principal | null> {
  // a dashboard session (see dashboard/session.ts) stands in for a missing Authorization header
  const session = c.get('sessionToken');
  const header: HeaderGetter = session ? (name) => (name === 'authorization' ? `Bearer ${session}` : c.req.header(name)) : (name) => c.req.header(name);
  return authenticateHeaders(header, deps, access, family);
}

export async function authenticateHeaders(header: HeaderGetter, deps: AppDeps, access: Access, family: Family): Promise<Principal | null> {
  const tokens = deps.gateway.tokens;
  const open = await isOpen(tokens);
  const token = presentedToken(header);
  const principal = !open && token ? await verifiedPrincipal(tokens, token) : undefined;
  return decide(token, deps, access, family, open, principal);
}

/**
 * `authenticateHeaders` from what is remembered (no query): undefined when the open state or the
 * token is not remembered, so the caller takes the full path (the fast lookup falls back to the app).
 */
export function authenticateCached(header: HeaderGetter, deps: AppDeps, access: Access, family: Family, now = performance.now()): Principal | null | undefined {
  const tokens = deps.gateway.tokens;
  const open = cachedOpen(tokens, now);
  if (open === undefined) return undefined;
  const token = presentedToken(header);
  const principal = !open && token ? cachedVerification(tokens, token, now)?.principal : undefined;
  if (!open && token && !principal) return undefined;
  return decide(token, deps, access, family, open, principal);
}

/**
 * `authenticateCached` for a request on a keep-alive connection that sent `authorization` (its
 * Authorization header): when the connection's previous request sent the same value and its
 * verification is still the remembered one (under a second old, no token created or revoked through
 * this server since), the caller is known without reading the token or the map; else as
 * `authenticateCached`, and a verified caller is remembered on the connection.
 */
export function authenticateOnConnection(
  memo: ConnectionMemo,
  authorization: string | undefined,
  header: HeaderGetter,
  deps: AppDeps,
  access: Access,
  family: Family,
  now: number,
): Principal | null | undefined {
  const tokens = deps.gateway.tokens;
  if (authorization && authorization === memo.authorization && memo.tokensVersion === tokensVersion) {
    const verified = memo.verified as Verified;
    if (now - verified.at < VERIFIED_TTL_MS && cachedOpen(tokens, now) === false) return decide(authorization, deps, access, family, false, verified.principal);
  }
  const principal = authenticateCached(header, deps, access, family, now);
  // a non-empty Authorization is where the token came from (see presentedToken): the same value, the same token
  if (principal && authorization && principal !== OPEN_PRINCIPAL) {
    const token = presentedToken(header);
    const verified = token === undefined ? undefined : cachedVerification(tokens, token, now);
    if (verified) {
      memo.authorization = authorization;
      memo.verified = verified;
      memo.tokensVersion = tokensVersion;
    }
  }
  return principal;
}

function decide(token: string | undefined, deps: AppDeps, access: Access, family: Family, open: boolean, principal: Principal | undefined): Principal | null {
  const isPublic = access === 'public' || (access === 'health' && deps.gateway.config.server.publicHealth);
  if (open) {
    if (!deps.requireTokens) return OPEN_PRINCIPAL;
    // off loopback a server without tokens is closed, not open (the last one was revoked elsewhere)
    if (isPublic) return null;
    throw noTokens(family);
  }
  if (!token) {
    if (isPublic) return null;
    throw missing(family);
  }
  if (!principal) {
    if (isPublic) return null;
    throw wrong(family);
  }
  if (access === 'public' || access === 'health') return principal;
  if (RANK[principal.role] < RANK[access]) {
    throw forbidden(family, `this needs the ${access} role; the token has ${principal.role}`);
  }
  return principal;
}

/** May this caller see a resource owned by `owner` (a token id)? Admins see all. */
export function owns(p: Principal, owner: string | null): boolean {
  return p.role === 'admin' || (p.tokenId !== null && owner === p.tokenId);
}
