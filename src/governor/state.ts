/**
 * Pure quota arithmetic over one key's state, shared by the in-memory governor, the Redis
 * governor's snapshots (summaries, ETAs) and its local fallback.
 */
import type { CallKind } from '../providers/types.js';
import { statusFor } from './status.js';
import type { CalendarWindow, QuotaLimits, QuotaSummary, QuotaWindowSummary } from './types.js';
import { CALENDAR_WINDOWS, MINUTE_MS, windowEnd, windowStart } from './windows.js';

export interface WindowCount {
  /** window start (epoch ms) the count belongs to */
  start: number;
  used: number;
}

/** Everything the governor knows about one key; plain data, so it can be saved and restored. */
export interface QuotaSnapshot {
  limits: QuotaLimits;
  /** grant times still inside the sliding minute (plus margin), ascending */
  minute: number[];
  calendar: Partial<Record<CalendarWindow, WindowCount>>;
  bucket: { tokens: number; at: number } | null;
  pausedUntil: number;
  healthy: boolean;
  ledger: Record<CallKind, number>;
  lastReconciledAt: number | null;
}

export const CALL_KINDS: readonly CallKind[] = [
  'lookup',
  'upload',
  'upload_url',
  'analysis',
  'rescan',
  'scan_url',
  'quota',
  'other',
];

export function emptyLedger(): Record<CallKind, number> {
  return Object.fromEntries(CALL_KINDS.map((k) => [k, 0])) as Record<CallKind, number>;
}

export function emptySnapshot(limits: QuotaLimits = {}): QuotaSnapshot {
  return {
    limits: { ...limits },
    minute: [],
    calendar: {},
    bucket: null,
    pausedUntil: 0,
    healthy: true,
    ledger: emptyLedger(),
    lastReconciledAt: null,
  };
}

export function cloneSnapshot(s: QuotaSnapshot): QuotaSnapshot {
  return {
    limits: { ...s.limits },
    minute: [...s.minute],
    calendar: Object.fromEntries(Object.entries(s.calendar).map(([k, v]) => [k, { ...v }])),
    bucket: s.bucket ? { ...s.bucket } : null,
    pausedUntil: s.pausedUntil,
    healthy: s.healthy,
    ledger: { ...s.ledger },
    lastReconciledAt: s.lastReconciledAt,
  };
}

/** Span a grant occupies in the sliding minute. */
export function minuteSpan(limits: QuotaLimits): number {
  return MINUTE_MS + Math.max(0, limits.minuteMarginMs ?? 0);
}

/** Token bucket parameters, or null when the key has no bucket. Rate is in tokens per ms. */
export function bucketParams(limits: QuotaLimits): { ratePerMs: number; burst: number } | null {
  const perSec = limits.ratePerSec ?? (limits.burst !== undefined && limits.minute ? limits.minute / 60 : undefined);
  if (!perSec || perSec <= 0) return null;
  return { ratePerMs: perSec / 1000, burst: Math.max(1, limits.burst ?? 1) };
}

/** Tokens available at `now` (refill credited from the last update, capped at burst). */
export function bucketTokens(s: QuotaSnapshot, now: number): number {
  const p = bucketParams(s.limits);
  if (!p) return Number.POSITIVE_INFINITY;
  if (!s.bucket) return p.burst;
  return Math.min(p.burst, s.bucket.tokens + Math.max(0, now - s.bucket.at) * p.ratePerMs);
}

const TOKEN_EPSILON = 1e-9;

/** Drops grants that left the sliding minute. */
export function trimMinute(s: QuotaSnapshot, now: number): void {
  const cutoff = now - minuteSpan(s.limits);
  let i = 0;
  while (i < s.minute.length && (s.minute[i] as number) <= cutoff) i++;
  if (i > 0) s.minute.splice(0, i);
}

export function calendarUsed(s: QuotaSnapshot, w: CalendarWindow, now: number): number {
  const c = s.calendar[w];
  return c && c.start === windowStart(w, now) ? c.used : 0;
}

/** Limit a caller with `reserve` may spend in a day/month window. */
export function reservedLimit(limit: number, w: CalendarWindow, reserve: number): number {
  if (w === 'hour' || reserve <= 0) return limit;
  return Math.floor(limit * (1 - Math.min(1, reserve)));
}

/** ms until the sliding minute has room for one more grant (0 = now). */
export function minuteWait(s: QuotaSnapshot, now: number): number {
  const limit = s.limits.minute;
  if (limit === undefined) return 0;
  trimMinute(s, now);
  const n = s.minute.length;
  if (n < limit) return 0;
  const oldest = s.minute[n - limit] ?? now;
  return Math.max(1, oldest + minuteSpan(s.limits) - now);
}

export interface Blocked {
  /** ms until every constraint is satisfied */
  wait: number;
  /** the constraint that holds the longest */
  reason: string;
  /** true when only the caller's reserve blocks (a caller with a smaller reserve could go now) */
  reserveOnly: boolean;
}

/**
 * ms until a grant is allowed at `now` (0 = now). Every constraint only loosens as time passes
 * without grants, so the earliest time all hold is the latest of the individual times.
 */
export function waitTime(s: QuotaSnapshot, now: number, reserve = 0): Blocked {
  let wait = 0;
  let reason = '';
  const consider = (w: number, why: string) => {
    if (w > wait) {
      wait = w;
      reason = why;
    }
  };
  if (s.pausedUntil > now) consider(s.pausedUntil - now, 'paused');
  const { limits } = s;
  consider(minuteWait(s, now), 'minute');
  for (const w of CALENDAR_WINDOWS) {
    const limit = limits[w];
    if (limit !== undefined && calendarUsed(s, w, now) >= limit) consider(windowEnd(w, now) - now, w);
  }
  const p = bucketParams(limits);
  if (p) {
    const tokens = bucketTokens(s, now);
    if (tokens < 1 - TOKEN_EPSILON) consider(Math.max(1, Math.ceil((1 - tokens) / p.ratePerMs)), 'bucket');
  }
  const baseWait = wait;
  if (reserve > 0) {
    for (const w of ['day', 'month'] as const) {
      const limit = limits[w];
      if (limit !== undefined && calendarUsed(s, w, now) >= reservedLimit(limit, w, reserve)) {
        consider(windowEnd(w, now) - now, 'reserve');
      }
    }
  }
  return { wait, reason, reserveOnly: baseWait === 0 && wait > 0 };
}

/** Counts one grant at `now`. */
export function commitGrant(s: QuotaSnapshot, now: number, kind: CallKind): void {
  if (s.limits.minute !== undefined) s.minute.push(now);
  for (const w of CALENDAR_WINDOWS) addCalendar(s, w, now, 1);
  const p = bucketParams(s.limits);
  if (p) s.bucket = { tokens: Math.max(0, bucketTokens(s, now) - 1), at: now };
  s.ledger[kind] = (s.ledger[kind] ?? 0) + 1;
}

/**
 * Gives back the latest grant (its request never reached the upstream): the newest entry of the
 * sliding minute, one count in each calendar window it was made in, one bucket token (capped at
 * burst) and one ledger count of `kind`. Nothing to give back leaves the state unchanged.
 */
export function releaseGrant(s: QuotaSnapshot, now: number, kind: CallKind): void {
  const at = s.minute.length > 0 ? (s.minute.pop() as number) : now;
  for (const w of CALENDAR_WINDOWS) {
    const c = s.calendar[w];
    if (c && c.start === windowStart(w, at) && c.used > 0) c.used--;
  }
  const p = bucketParams(s.limits);
  if (p && s.bucket) s.bucket = { tokens: Math.min(p.burst, bucketTokens(s, now) + 1), at: now };
  if ((s.ledger[kind] ?? 0) > 0) s.ledger[kind]--;
}

export function addCalendar(s: QuotaSnapshot, w: CalendarWindow, at: number, n: number): void {
  const start = windowStart(w, at);
  const c = s.calendar[w];
  if (c && c.start === start) c.used += n;
  else if (!c || c.start < start) s.calendar[w] = { start, used: n };
}

/** Time until `calls` more grants (each keeping `reserve` of every window free) could all be made, simulated on a copy of the state. */
export function simulateEta(state: QuotaSnapshot, now: number, calls: number, reserve = 0): number {
  if (calls <= 0) return 0;
  return simulateSeries(state, now, calls, reserve)[calls - 1] as number;
}

type BucketParams = ReturnType<typeof bucketParams>;

/** bucketTokens with the bucket's parameters given. */
function tokensWith(s: QuotaSnapshot, now: number, p: NonNullable<BucketParams>): number {
  if (!s.bucket) return p.burst;
  return Math.min(p.burst, s.bucket.tokens + Math.max(0, now - s.bucket.at) * p.ratePerMs);
}

/**
 * waitTime's wait alone, with the bucket's parameters given: the same arithmetic without the
 * allocations, for a simulation of thousands of grants (a dry run estimates a whole log's lookups).
 */
function waitWith(s: QuotaSnapshot, now: number, reserve: number, p: BucketParams): number {
  let wait = s.pausedUntil > now ? s.pausedUntil - now : 0;
  const { limits } = s;
  const minute = minuteWait(s, now);
  if (minute > wait) wait = minute;
  for (const w of CALENDAR_WINDOWS) {
    const limit = limits[w];
    if (limit !== undefined && calendarUsed(s, w, now) >= limit) {
      const end = windowEnd(w, now) - now;
      if (end > wait) wait = end;
    }
  }
  if (p) {
    const tokens = tokensWith(s, now, p);
    if (tokens < 1 - TOKEN_EPSILON) {
      const refill = Math.max(1, Math.ceil((1 - tokens) / p.ratePerMs));
      if (refill > wait) wait = refill;
    }
  }
  if (reserve > 0) {
    for (const w of RESERVED_WINDOWS) {
      const limit = limits[w];
      if (limit !== undefined && calendarUsed(s, w, now) >= reservedLimit(limit, w, reserve)) {
        const end = windowEnd(w, now) - now;
        if (end > wait) wait = end;
      }
    }
  }
  return wait;
}

const RESERVED_WINDOWS = ['day', 'month'] as const;

/** When (ms from `now`) each of `calls` more grants could be made, in order; Infinity when none can. */
export function simulateSeries(state: QuotaSnapshot, now: number, calls: number, reserve = 0): number[] {
  if (calls <= 0) return [];
  const { limits } = state;
  const zero = [limits.minute, limits.hour, limits.day, limits.month].some((l) => l !== undefined && l <= 0);
  if (!state.healthy || zero) return new Array<number>(calls).fill(Number.POSITIVE_INFINITY);
  const s = cloneSnapshot(state);
  // The copy's limits do not change during the simulation: the bucket's parameters are read once.
  const p = bucketParams(s.limits);
  const out: number[] = [];
  let t = now;
  for (let i = 0; i < calls; i++) {
    // a wait satisfies every constraint; the loop only absorbs rounding in the bucket
    for (let guard = 0; guard < 4; guard++) {
      const wait = waitWith(s, t, reserve, p);
      if (wait === 0) break;
      t += wait;
    }
    // commitGrant(s, t, 'other'), with the parameters read once
    if (s.limits.minute !== undefined) s.minute.push(t);
    for (const w of CALENDAR_WINDOWS) addCalendar(s, w, t, 1);
    if (p) s.bucket = { tokens: Math.max(0, tokensWith(s, t, p) - 1), at: t };
    s.ledger.other = (s.ledger.other ?? 0) + 1;
    out.push(t - now);
  }
  return out;
}

/** Builds the public summary from a state at `now`. */
export function summarize(
  key: string,
  s: QuotaSnapshot,
  now: number,
  threshold = 90,
  backend?: QuotaSummary['backend'],
): QuotaSummary {
  trimMinute(s, now);
  const windows: QuotaWindowSummary[] = [];
  const { limits } = s;
  if (limits.minute !== undefined) {
    const used = s.minute.length;
    windows.push(windowSummary('minute', used, limits.minute, used > 0 ? (s.minute[0] as number) + minuteSpan(limits) : now));
  }
  for (const w of CALENDAR_WINDOWS) {
    const limit = limits[w];
    if (limit !== undefined) windows.push(windowSummary(w, calendarUsed(s, w, now), limit, windowEnd(w, now)));
  }
  const quotaWindows = windows.filter((w) => w.window !== 'minute');
  // every window counts for the status: a full sliding minute is not healthy either
  const hottest = windows.reduce<QuotaWindowSummary | undefined>(
    (a, w) => (!a || w.percent > a.percent ? w : a),
    undefined,
  );
  const status = statusFor(hottest?.percent ?? 0);
  const paused = s.pausedUntil > now;
  const exhausted = windows.filter((w) => w.remaining <= 0);
  let recommendedBackoffMs = 0;
  if (exhausted.length > 0) {
    recommendedBackoffMs = Math.max(
      ...exhausted.map((w) => (w.window === 'minute' ? Math.max(minuteWait(s, now), 1) : w.resetsAt - now)),
    );
  } else if (status !== 'healthy' && hottest) {
    recommendedBackoffMs = hottest.resetsAt - now;
  }
  if (paused) recommendedBackoffMs = Math.max(recommendedBackoffMs, s.pausedUntil - now);
  return {
    key,
    windows,
    status,
    canMakeRequest: s.healthy && !paused && !quotaWindows.some((w) => w.percent >= threshold),
    recommendedBackoffMs,
    pausedUntil: paused ? s.pausedUntil : null,
    keyHealthy: s.healthy,
    ledger: { ...s.ledger },
    lastReconciledAt: s.lastReconciledAt,
    ...(backend ? { backend } : {}),
  };
}

function windowSummary(
  window: QuotaWindowSummary['window'],
  used: number,
  limit: number,
  resetsAt: number,
): QuotaWindowSummary {
  const percent = limit > 0 ? Math.round((used / limit) * 10000) / 100 : 100;
  return { window, used, limit, remaining: Math.max(0, limit - used), percent, resetsAt };
}
