import type { AnalysisStats, Verdict } from '../types.js';

/** VT category -> AnalysisStats field. Files use hyphenated keys; underscores are accepted too. */
const CATEGORY_FIELDS: Record<string, keyof AnalysisStats> = {
  malicious: 'malicious',
  suspicious: 'suspicious',
  harmless: 'harmless',
  undetected: 'undetected',
  timeout: 'timeout',
  'confirmed-timeout': 'confirmedTimeout',
  confirmed_timeout: 'confirmedTimeout',
  'type-unsupported': 'typeUnsupported',
  type_unsupported: 'typeUnsupported',
  failure: 'failure',
};

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/**
 * v3 `last_analysis_stats` (8 keys for files, 5 for URLs, domains and IPs) as AnalysisStats.
 * Missing or non-numeric entries count as 0; unknown categories are ignored.
 */
export function extractAnalysisStats(stats: Record<string, number> | undefined | null): AnalysisStats {
  const out: AnalysisStats = {
    malicious: 0,
    suspicious: 0,
    harmless: 0,
    undetected: 0,
    timeout: 0,
    confirmedTimeout: 0,
    typeUnsupported: 0,
    failure: 0,
    engines: 0,
    total: 0,
  };
  if (stats && typeof stats === 'object') {
    for (const [key, value] of Object.entries(stats)) {
      const field = CATEGORY_FIELDS[key];
      if (field) out[field] += count(value);
    }
  }
  out.engines = out.malicious + out.suspicious + out.harmless + out.undetected;
  out.total = out.engines + out.timeout + out.confirmedTimeout + out.typeUnsupported + out.failure;
  return out;
}

export interface VerdictThresholds {
  /** Malicious detections needed for 'malicious' (default 1). */
  maliciousThreshold?: number;
  /** Suspicious detections needed for 'suspicious' (default 1). */
  suspiciousThreshold?: number;
}

type StatsInput = AnalysisStats | Record<string, number> | undefined | null;

function isAnalysisStats(stats: StatsInput): stats is AnalysisStats {
  return !!stats && typeof stats === 'object' && 'engines' in stats && 'confirmedTimeout' in stats;
}

function toStats(stats: StatsInput): AnalysisStats {
  return isAnalysisStats(stats) ? stats : extractAnalysisStats(stats);
}

function threshold(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? value : 1;
}

/**
 * malicious: malicious >= maliciousThreshold. suspicious: suspicious >= suspiciousThreshold, or some
 * malicious detections below the threshold. harmless: harmless > 0 and nothing bad. undetected:
 * engines answered, none harmful. unknown: no engine gave a verdict. Thresholds below 1 count as 1.
 */
export function computeVerdict(stats: StatsInput, thresholds: VerdictThresholds = {}): Verdict {
  const s = toStats(stats);
  if (s.engines === 0) return 'unknown';
  if (s.malicious >= threshold(thresholds.maliciousThreshold)) return 'malicious';
  if (s.suspicious >= threshold(thresholds.suspiciousThreshold) || s.malicious > 0) return 'suspicious';
  if (s.harmless > 0) return 'harmless';
  return 'undetected';
}

export function isMalicious(stats: StatsInput, maliciousThreshold = 1): boolean {
  return toStats(stats).malicious >= threshold(maliciousThreshold);
}
