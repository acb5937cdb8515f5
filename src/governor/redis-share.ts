/** The local share a Redis governor serves from while Redis is unreachable. */
import type { CallKind } from '../providers/types.js';
import { type QuotaSnapshot, emptySnapshot } from './state.js';
import type { CalendarWindow, QuotaLimits } from './types.js';
import { CALENDAR_WINDOWS, windowStart } from './windows.js';

/** What this process itself counted, kept so it can be pushed again if Redis restarts empty. */
export interface OwnGrants {
  /** grants still inside the sliding minute */
  minute: Array<{ member: string; at: number }>;
  calendar: Partial<Record<CalendarWindow, { start: number; used: number }>>;
  ledger: Record<CallKind, number>;
}

/** `share` of every limit, each at least 1. */
export function localShareLimits(limits: QuotaLimits, share: number): QuotaLimits {
  const part = (v: number | undefined) => (v === undefined ? undefined : Math.max(1, Math.floor(v * share)));
  const out: QuotaLimits = { ...limits };
  for (const w of ['minute', 'hour', 'day', 'month'] as const) {
    const v = part(limits[w]);
    if (v === undefined) delete out[w];
    else out[w] = v;
  }
  if (limits.ratePerSec !== undefined) out.ratePerSec = limits.ratePerSec * share;
  if (limits.burst !== undefined) out.burst = Math.max(1, Math.floor(limits.burst * share));
  return out;
}

/**
 * Local state at the moment Redis is lost. The sliding minute starts full: other instances' last
 * grants are unknown but none can be later than now, so after one span the minute is surely clear.
 * The calendar windows start at our share of the last shared counts we saw.
 */
export function seedFallback(input: {
  limits: QuotaLimits;
  now: number;
  share: number;
  lastShared: Partial<Record<CalendarWindow, { start: number; used: number }>>;
  pausedUntil: number;
  healthy: boolean;
  ledger: Record<CallKind, number>;
}): QuotaSnapshot {
  const { limits, now } = input;
  const s = emptySnapshot(limits);
  if (limits.minute !== undefined) s.minute = Array.from({ length: limits.minute }, () => now);
  for (const w of CALENDAR_WINDOWS) {
    const last = input.lastShared[w];
    const start = windowStart(w, now);
    if (last && last.start === start) s.calendar[w] = { start, used: Math.ceil(last.used * input.share) };
  }
  s.bucket = { tokens: 0, at: now };
  s.pausedUntil = input.pausedUntil;
  s.healthy = input.healthy;
  s.ledger = { ...input.ledger };
  return s;
}
