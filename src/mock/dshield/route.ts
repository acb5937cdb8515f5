/**
 * ISC/DShield IP API simulator as a MockRoute: `GET /api/ip/<ip>?json` (XML without `?json`, as ISC).
 * ISC blocks default User-Agents (403) and answers 429 past its rate; both are simulated.
 */
import type { IncomingMessage } from 'node:http';
import type { MockRoute } from '../index.js';
import { simulatedDshield } from './simulate.js';

export interface DshieldRouteOptions {
  /** Requests per clock second before 429 (default 5). */
  limits?: { perSecond?: number };
}

/** User-Agents ISC refuses: none, and library defaults. */
const BLOCKED_AGENT = /^(|python-requests.*|node.*|undici.*|python-urllib.*|go-http-client.*)$/i;

export function createDshieldRoute(options: DshieldRouteOptions = {}): MockRoute {
  const perSecond = options.limits?.perSecond ?? 5;
  let windowSecond = -1;
  let windowCount = 0;

  return async (req, res, url, ctx) => {
    const match = /^\/api\/ip\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) return false;
    const endpoint = 'GET /api/ip/{ip}';
    req.resume();
    if (await ctx.applyFaults(req, res, endpoint, '')) return true;
    const answer = (status: number, body: unknown) => {
      ctx.record(endpoint, '', status);
      ctx.json(res, status, body);
    };
    if (req.method !== 'GET') {
      answer(405, { error: 'method not allowed' });
      return true;
    }
    if (BLOCKED_AGENT.test(userAgent(req))) {
      answer(403, { error: 'Forbidden: use a custom User-Agent with contact information' });
      return true;
    }
    const second = Math.floor(ctx.clock.now() / 1000);
    if (second !== windowSecond) {
      windowSecond = second;
      windowCount = 0;
    }
    if (++windowCount > perSecond) {
      res.setHeader('Retry-After', '1');
      answer(429, { error: 'Too Many Requests' });
      return true;
    }
    const body = simulatedDshield(decodeURIComponent(match[1] ?? ''));
    if (url.searchParams.has('json')) {
      answer(200, body);
      return true;
    }
    ctx.record(endpoint, '', 200);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/xml');
    res.end(toXml(body));
    return true;
  };
}

function userAgent(req: IncomingMessage): string {
  const v = req.headers['user-agent'];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

function toXml(body: Record<string, unknown>): string {
  const ip = (body.ip ?? {}) as Record<string, unknown>;
  const fields = Object.entries(ip)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(([k, v]) => `<${k}>${v === null ? '' : String(v).replace(/[<>&]/g, '')}</${k}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ip>${fields}</ip>\n`;
}
