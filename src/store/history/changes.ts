import type { Change, ChangeOptions, ChangeReason, ChangeSide, Observation } from './types.js';

export const DEFAULT_CHANGE_OPTIONS: ChangeOptions = { minDetectionDelta: 3 };

function side(o: Observation): ChangeSide {
  return { verdict: o.verdict, detections: o.detections ?? null, threatLabel: o.threatLabel || null };
}

/**
 * Compares two consecutive observations of one indicator. A change is: a different verdict, detections
 * moving by at least `minDetectionDelta` (either way), or a threat label that was not there before.
 * A first observation (no `previous`) is not a change. Pure.
 */
export function detectChange(
  previous: Observation | undefined,
  next: Observation,
  options: ChangeOptions = DEFAULT_CHANGE_OPTIONS,
): Change | null {
  if (!previous) return null;
  const from = side(previous);
  const to = side(next);
  const reasons: ChangeReason[] = [];
  if (from.verdict !== to.verdict) reasons.push('verdict');
  if (from.detections !== null && to.detections !== null) {
    const delta = Math.max(1, options.minDetectionDelta);
    if (Math.abs(to.detections - from.detections) >= delta) reasons.push('detections');
  }
  if (to.threatLabel !== null && to.threatLabel !== from.threatLabel) reasons.push('threat_label');
  if (reasons.length === 0) return null;
  return { provider: next.provider, kind: next.kind, id: next.id, indicator: next.indicator, at: next.at, reasons, from, to };
}
