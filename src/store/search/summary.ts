/** Aggregates for reports: counts by kind and verdict, detections over time, upstream answers per provider. */
import type { IndicatorKind } from '../../indicators/index.js';
import type { ProviderName, Verdict } from '../../providers/types.js';
import type { Queryable } from '../db/sql.js';
import { where } from '../db/where.js';
import { filterConditions, fromClause } from './query.js';
import type { SearchQuery } from './types.js';

const DAY = 86_400_000;

export interface SearchSummary {
  total: number;
  byKind: Partial<Record<IndicatorKind, number>>;
  byVerdict: Partial<Record<Verdict, number>>;
  /** Earliest first_seen and latest last_seen among the matching indicators. */
  firstSeen: number | null;
  lastSeen: number | null;
  /** Per UTC day in the range: upstream answers recorded, and how many were malicious or suspicious. */
  timeline: Array<{ day: number; answers: number; detected: number }>;
  /** Upstream answers recorded in the range, per provider: each one was one request against its quota. */
  answersByProvider: Partial<Record<ProviderName, number>>;
}

export async function summarize(db: Queryable, q: SearchQuery): Promise<SearchSummary> {
  const w = where(filterConditions({ ...q, cursor: undefined }, db.dialect.ilike));
  const from = fromClause(q);
  const groups = (await db.all(`SELECT s.kind AS kind, s.verdict AS verdict, COUNT(*) AS n, MIN(s.first_seen) AS first, MAX(s.last_seen) AS last${from.sql}${w.sql} GROUP BY s.kind, s.verdict`, ...from.params, ...w.params)) as Array<{ kind: IndicatorKind; verdict: Verdict; n: number; first: number; last: number }>;
  const out: SearchSummary = { total: 0, byKind: {}, byVerdict: {}, firstSeen: null, lastSeen: null, timeline: [], answersByProvider: {} };
  for (const g of groups) {
    out.total += g.n;
    out.byKind[g.kind] = (out.byKind[g.kind] ?? 0) + g.n;
    out.byVerdict[g.verdict] = (out.byVerdict[g.verdict] ?? 0) + g.n;
    out.firstSeen = out.firstSeen === null ? g.first : Math.min(out.firstSeen, g.first);
    out.lastSeen = out.lastSeen === null ? g.last : Math.max(out.lastSeen, g.last);
  }
  const o = where([q.since !== undefined && ['at >= ?', q.since], q.until !== undefined && ['at <= ?', q.until], q.kind !== undefined && ['kind = ?', q.kind], q.provider !== undefined && ['provider = ?', q.provider]]);
  const timeline = (await db.all(`SELECT at / ${DAY} AS day, COUNT(*) AS answers, SUM(CASE WHEN verdict IN ('malicious', 'suspicious') THEN 1 ELSE 0 END) AS detected FROM observations${o.sql} GROUP BY at / ${DAY} ORDER BY day`, ...o.params)) as Array<{ day: number; answers: number; detected: number }>;
  out.timeline = timeline.map((t) => ({ day: t.day * DAY, answers: t.answers, detected: t.detected }));
  for (const p of (await db.all(`SELECT provider, COUNT(*) AS n FROM observations${o.sql} GROUP BY provider`, ...o.params)) as Array<{ provider: ProviderName; n: number }>) {
    out.answersByProvider[p.provider] = p.n;
  }
  return out;
}
