import type { IndicatorKind } from '../../indicators/index.js';
import type { AnalysisStats, ProviderName, Verdict } from '../../providers/types.js';

/** One look at an indicator by one provider, as stored in history. */
export interface Observation {
  provider: ProviderName;
  kind: IndicatorKind;
  id: string;
  indicator: string;
  /** Epoch ms (UTC) of the upstream answer. */
  at: number;
  verdict: Verdict;
  stats?: AnalysisStats;
  detections?: number | null;
  threatLabel?: string | null;
  reputation?: number | null;
}

export type ChangeReason = 'verdict' | 'detections' | 'threat_label';

export interface ChangeSide {
  verdict: Verdict;
  detections: number | null;
  threatLabel: string | null;
}

/** A meaningful difference between two consecutive observations of the same indicator. */
export interface Change {
  provider: ProviderName;
  kind: IndicatorKind;
  id: string;
  indicator: string;
  /** When the newer observation was made. */
  at: number;
  reasons: ChangeReason[];
  from: ChangeSide;
  to: ChangeSide;
  /** The watchlists that hold the indicator (set on the `verdict.changed` event, not stored). */
  watchlists?: string[];
}

export interface ChangeOptions {
  /** Smallest move in `detections` that counts as a change (default 3). */
  minDetectionDelta: number;
}

export interface HistoryQuery {
  limit: number;
  /** Only entries at or after this epoch ms. */
  since?: number;
}

export interface ChangeQuery extends HistoryQuery {
  /** Only changes of this canonical id. */
  id?: string;
}
