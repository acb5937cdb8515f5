/**
 * SPUR Context API simulator as a MockRoute: `GET /v2/context/<ip>` with a `Token` header.
 * 401 without (or, with `keys`, an unknown) token, 400 for private or invalid addresses,
 * 429 once the query balance is spent; `x-balance-remaining` on every answer.
 */
import type { IncomingMessage } from 'node:http';
import type { MockRoute } from '../index.js';
import { simulatedSpur, spurRejection } from './simulate.js';

export interface SpurRouteOptions {
  /** Accepted tokens; when absent any non-empty token is accepted. */
  keys?: string[];
  /** `balance`: queries left before 429 (default 100000); `perSecond`: 429 past this rate (default 10). */
  limits?: { balance?: number; perSecond?: number };
}

export function createSpurRoute(options: SpurRouteOptions = {}): MockRoute {
  const keys = options.keys ? new Set(options.keys) : undefined;
  const perSecond = options.limits?.perSecond ?? 10;
  let balance = options.limits?.balance ?? 100_000;
  let windowSecond = -1;
  let windowCount = 0;

  return async (req, res, url, ctx) => {
    const match = /^\/v2\/context\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) return false;
    const endpoint = 'GET /v2/context/{ip}';
    const token = header(req, 'token');
    req.resume();
    if (await ctx.applyFaults(req, res, endpoint, token)) return true;
    const answer = (status: number, body: unknown) => {
      ctx.record(endpoint, token, status);
      res.setHeader('x-balance-remaining', String(balance));
      ctx.json(res, status, body);
    };
    if (req.method !== 'GET') {
      answer(405, { error: 'method not allowed' });
      return true;
    }
    if (!token || (keys && !keys.has(token))) {
      answer(401, { error: 'invalid token' });
      return true;
    }
    const second = Math.floor(ctx.clock.now() / 1000);
    if (second !== windowSecond) {
      windowSecond = second;
      windowCount = 0;
    }
    if (++windowCount > perSecond || balance <= 0) {
      if (balance > 0) res.setHeader('Retry-After', '1');
      answer(429, { error: balance <= 0 ? 'insufficient query balance' : 'too many requests' });
      return true;
    }
    const ip = decodeURIComponent(match[1] ?? '');
    const rejection = spurRejection(ip);
    if (rejection) {
      answer(400, { error: rejection });
      return true;
    }
    balance -= 1;
    res.setHeader('x-result-dt', new Date(ctx.clock.now()).toISOString().slice(0, 10).replace(/-/g, ''));
    answer(200, simulatedSpur(ip));
    return true;
  };
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}
