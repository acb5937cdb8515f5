/** Absolute links on the gateway's own origin, as VirusTotal clients follow them (vt-go follows links.next). */
import type { Context } from 'hono';
import type { AppEnv } from '../types.js';

/** The origin the client used to reach us (from the Host header, which the HTTP layer has validated). */
export function requestOrigin(c: Context<AppEnv>): string {
  const url = new URL(c.req.url);
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const proto = forwarded === 'https' || forwarded === 'http' ? `${forwarded}:` : url.protocol;
  return `${proto}//${url.host}`;
}

function rewriteUrl(value: string, origin: string): string {
  const at = value.indexOf('/api/v3/');
  if (at < 0 || !/^https?:\/\//i.test(value)) return value;
  return origin + value.slice(at);
}

/**
 * Returns a copy of a VT envelope (or object) whose `links` values point at `origin`, at any depth
 * (object links, collection links, items' links, relationship links).
 */
export function rewriteLinks<T>(value: T, origin: string, depth = 0): T {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => rewriteLinks(v, origin, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'links' && v && typeof v === 'object' && !Array.isArray(v)) {
      const links: Record<string, unknown> = {};
      for (const [name, link] of Object.entries(v as Record<string, unknown>)) links[name] = typeof link === 'string' ? rewriteUrl(link, origin) : link;
      out[key] = links;
    } else if (key === 'attributes') {
      out[key] = v; // object attributes hold no gateway links; copying them would cost time for nothing
    } else {
      out[key] = rewriteLinks(v, origin, depth + 1);
    }
  }
  return out as T;
}

export function analysisDescriptor(id: string, origin: string) {
  return { data: { type: 'analysis', id, links: { self: `${origin}/api/v3/analyses/${id}` } } };
}
