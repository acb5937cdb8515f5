import type { Report } from '../../providers/types.js';
import type { Observation } from './types.js';

/** The history record of one upstream answer (a "not found" answer is recorded too: finding it later is a change). */
export function observationOf(report: Report): Observation {
  const o: Observation = {
    provider: report.provider,
    kind: report.kind,
    id: report.id,
    indicator: report.indicator,
    at: report.fetchedAt,
    verdict: report.verdict,
    detections: report.detections ?? report.stats?.malicious ?? null,
    threatLabel: report.threatLabel ?? null,
    reputation: report.reputation ?? null,
  };
  if (report.stats) o.stats = report.stats;
  return o;
}
