/** The search filters as text (HTTP query strings, CLI flags) -> a validated `SearchQuery`. */
import { z } from 'zod';
import type { SearchQuery } from '../store/index.js';
import { VERDICTS } from '../store/index.js';

const UNIT: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time: ISO 8601 (`2026-01-15`, `2026-01-15T12:00:00Z`), epoch milliseconds or seconds,
 * or an age (`90s`, `30m`, `24h`, `7d`, `2w`, or bare seconds below 10^9 as in `vtg changes --since 86400`).
 */
export function parseTime(text: string, now: number): number {
  const t = text.trim();
  const rel = /^(\d+(?:\.\d+)?)([smhdw])$/i.exec(t);
  if (rel) return now - Math.round(Number(rel[1]) * UNIT[rel[2]!.toLowerCase()]!);
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n >= 1e11) return n;
    if (n >= 1e9) return n * 1000;
    return now - n * 1000;
  }
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${JSON.stringify(text.slice(0, 50))} (use ISO 8601, epoch ms, or an age such as 24h or 7d)`);
  return ms;
}

const text = (max: number) => z.string().trim().min(1).max(max);

/** Filters as strings (every field optional). `verdict` may list several, comma-separated. */
export const searchParamsSchema = z.object({
  since: text(40).optional(),
  until: text(40).optional(),
  kind: z.enum(['file', 'url', 'domain', 'ip']).optional(),
  verdict: z
    .string()
    .trim()
    .regex(new RegExp(`^(${VERDICTS.join('|')})(,(${VERDICTS.join('|')}))*$`), `one or more of ${VERDICTS.join(', ')}, comma-separated`)
    .optional(),
  min_detections: z.coerce.number().int().min(0).max(1000).optional(),
  label: text(200).optional(),
  provider: z.enum(['virustotal', 'urlhaus', 'dshield', 'spur']).optional(),
  tag: text(100).optional(),
  source: text(200).optional(),
  q: text(500).optional(),
  after: z.coerce.number().int().min(0).optional(),
  sort: z.enum(['last_seen', 'first_seen', 'detections', 'indicator']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: text(1000).optional(),
});

export type SearchParams = z.infer<typeof searchParamsSchema>;

export function toSearchQuery(p: SearchParams, now: number): SearchQuery {
  const q: SearchQuery = {};
  if (p.since !== undefined) q.since = parseTime(p.since, now);
  if (p.until !== undefined) q.until = parseTime(p.until, now);
  if (p.kind) q.kind = p.kind;
  if (p.verdict) q.verdict = p.verdict.split(',') as SearchQuery['verdict'] & string[];
  if (p.min_detections !== undefined) q.minDetections = p.min_detections;
  for (const k of ['label', 'provider', 'tag', 'source', 'q', 'after', 'sort', 'order', 'limit', 'cursor'] as const) {
    if (p[k] !== undefined) (q as Record<string, unknown>)[k] = p[k];
  }
  return q;
}
