/** A lookup answer as one flat record (for tables, CSV and --fields), keeping the full result for JSON. */
import type { LookupResult } from '../../gateway/index.js';
import type { Column } from './output.js';
import { paintVerdict } from './color.js';
import { shortDuration } from './time.js';

export interface LookupRecord {
  input: string;
  indicator: string;
  kind: string;
  id: string;
  provider: string;
  found: boolean;
  verdict: string;
  malicious: number | null;
  suspicious: number | null;
  harmless: number | null;
  undetected: number | null;
  detections: number | null;
  engines: number | null;
  threat: string | null;
  reputation: number | null;
  source: string;
  stale: boolean;
  ageMs: number;
  fetchedAt: number;
  lastAnalysisAt: number | null;
  result: LookupResult;
}

export function lookupRecord(input: string, result: LookupResult): LookupRecord {
  const r = result.report;
  return {
    input,
    indicator: r.indicator || result.indicator.value,
    kind: result.indicator.kind,
    id: result.indicator.id,
    provider: result.provider,
    found: r.found,
    verdict: r.verdict,
    malicious: r.stats?.malicious ?? null,
    suspicious: r.stats?.suspicious ?? null,
    harmless: r.stats?.harmless ?? null,
    undetected: r.stats?.undetected ?? null,
    detections: r.detections ?? r.stats?.malicious ?? null,
    engines: r.engines ?? r.stats?.engines ?? null,
    threat: r.threatLabel ?? null,
    reputation: r.reputation ?? null,
    source: result.source,
    stale: result.stale,
    ageMs: result.ageMs,
    fetchedAt: result.fetchedAt,
    lastAnalysisAt: r.lastAnalysisAt ?? null,
    result,
  };
}

/** `cache 5m`, `upstream`, `stale 2d`. */
export function sourceText(source: string, ageMs: number): string {
  return source === 'upstream' ? 'upstream' : `${source} ${shortDuration(ageMs)}`;
}

/** `62/64`; with suspicious engines `0/70 +2 susp` (a verdict of suspicious never hides why). */
export function detectionsText(detections: number | null, engines: number | null, suspicious?: number | null): string {
  if (detections === null) return '-';
  const base = engines === null ? String(detections) : `${detections}/${engines}`;
  return suspicious ? `${base} +${suspicious} susp` : base;
}

export const LOOKUP_COLUMNS: Column<LookupRecord>[] = [
  { key: 'indicator', width: 64 },
  { key: 'kind', width: 6 },
  { key: 'verdict', width: 10, text: (r, paint) => (r.found ? paintVerdict(paint, r.verdict) : paint('dim', 'not_found')) },
  { key: 'detections', header: 'DETECTIONS', width: 14, right: true, text: (r) => detectionsText(r.detections, r.engines, r.suspicious) },
  { key: 'engines', hidden: true, csv: true },
  { key: 'threat', width: 24, text: (r) => r.threat ?? '' },
  { key: 'source', width: 12, text: (r) => sourceText(r.source, r.ageMs) },
  { key: 'input', hidden: true },
  { key: 'id', hidden: true },
  { key: 'provider', hidden: true },
  { key: 'malicious', hidden: true },
  { key: 'suspicious', hidden: true },
  { key: 'harmless', hidden: true },
  { key: 'undetected', hidden: true },
  { key: 'reputation', hidden: true },
  { key: 'stale', hidden: true },
  { key: 'ageMs', hidden: true, csv: true },
  { key: 'fetchedAt', hidden: true },
  { key: 'lastAnalysisAt', hidden: true },
];
