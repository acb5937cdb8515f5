/**
 * `--fail-on` thresholds for CI gates, evaluated on the v3 `last_analysis_stats` of each report
 * (`report.stats` / `report.detections`), never on a verdict string or v2 fields.
 *   malicious>=1   suspicious>=2   detections>=5   malicious   suspicious (= suspicious>=1 or any malicious)
 */
import type { Report } from '../providers/types.js';
import { UsageError } from './errors.js';

export type FailMetric = 'malicious' | 'suspicious' | 'detections';
type Op = '>=' | '>' | '=' | '<=' | '<';

export interface FailRule {
  text: string;
  test(report: Report): boolean;
}

const METRICS: readonly FailMetric[] = ['malicious', 'suspicious', 'detections'];
const RULE = /^\s*(malicious|suspicious|detections)\s*(?:(>=|<=|==|=|>|<)\s*(\d+))?\s*$/i;

function metricOf(report: Report, metric: FailMetric): number {
  const stats = report.stats;
  switch (metric) {
    case 'malicious':
      return stats?.malicious ?? 0;
    case 'suspicious':
      return stats?.suspicious ?? 0;
    default:
      return report.detections ?? stats?.malicious ?? 0;
  }
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '>=':
      return a >= b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '<':
      return a < b;
    default:
      return a === b;
  }
}

export function parseFailOn(text: string): FailRule {
  const m = RULE.exec(text);
  if (!m) {
    throw new UsageError(
      `--fail-on ${JSON.stringify(text)}: expected METRIC[>=N] with METRIC one of ${METRICS.join(', ')} (e.g. malicious>=1, detections>=5, suspicious)`,
    );
  }
  const metric = (m[1] as string).toLowerCase() as FailMetric;
  const opText = m[2];
  if (opText === undefined) {
    // bare names: any hit; "suspicious" also fails on anything malicious
    if (metric === 'suspicious') return { text, test: (r) => metricOf(r, 'suspicious') >= 1 || metricOf(r, 'malicious') >= 1 };
    return { text, test: (r) => metricOf(r, metric) >= 1 };
  }
  const op = (opText === '==' ? '=' : opText) as Op;
  const n = Number(m[3]);
  return { text, test: (r) => compare(metricOf(r, metric), op, n) };
}

/** The rules a report meets (empty when it passes every gate). */
export function failedRules(rules: readonly FailRule[], report: Report): FailRule[] {
  return report.found ? rules.filter((rule) => rule.test(report)) : [];
}

/** commander collector for a repeatable option. */
export function collectFailOn(value: string, previous: FailRule[] = []): FailRule[] {
  return [...previous, parseFailOn(value)];
}

/** Checks every report against the rules; prints which gate each failing one met. Returns 1 or 0. */
export function gate(rules: readonly FailRule[], items: ReadonlyArray<{ subject: string; report: Report }>, warn: (line: string) => void): number {
  if (rules.length === 0) return 0;
  let failed = 0;
  for (const { subject, report } of items) {
    const met = failedRules(rules, report);
    if (met.length === 0) continue;
    failed++;
    const s = report.stats;
    warn(`vtg: --fail-on ${met.map((r) => r.text).join(', ')} met by ${subject} (${s?.malicious ?? 0} malicious, ${s?.suspicious ?? 0} suspicious)`);
  }
  return failed > 0 ? 1 : 0;
}
