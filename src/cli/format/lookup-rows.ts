/** A lookup answer as one flat record (for tables, CSV and --fields), keeping the full result for JSON. */
import type { LookupResult } from '../../gateway/index.js';
import { answerPermalink } from '../../indicators/index.js';
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
  /** The object on VirusTotal's web UI. */
  permalink: string | null;
  /** The answer came from the built-in simulator (mock mode), not VirusTotal. */
  simulated?: true;
  result: LookupResult;
}

const API = 'https://www.virustotal.com/api/v3';

/** A simulated answer's links point at VirusTotal's API, never at the simulator's loopback address. */
export function unSimulateLinks<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+\/api\/v3/g, API)) as T;
}

export function lookupRecord(input: string, given: LookupResult, options: { simulated?: boolean } = {}): LookupRecord {
  const result = options.simulated ? unSimulateLinks(given) : given;
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
    permalink: answerPermalink(result),
    ...(options.simulated ? { simulated: true as const } : {}),
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
  { key: 'source', width: 12, text: (r, paint) => `${sourceText(r.source, r.ageMs)}${r.simulated ? paint('dim', ' (simulated)') : ''}` },
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
  { key: 'permalink', hidden: true },
  { key: 'simulated', hidden: true },
];
