/** An `observations` row as read by the history and by the search index (which pages it by `seq`). */
import type { IndicatorKind } from '../../indicators/index.js';
import type { ProviderName, Verdict } from '../../providers/types.js';

export const OBSERVATION_COLUMNS = 'provider, kind, indicator_id, indicator, at, verdict, detections, threat_label, reputation, stats';

export interface ObservationRow {
  provider: ProviderName;
  kind: IndicatorKind;
  indicator_id: string;
  indicator: string;
  at: number;
  verdict: Verdict;
  detections: number | null;
  threat_label: string | null;
  reputation: number | null;
  stats: string | null;
}
