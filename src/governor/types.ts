import type { CallKind, ProviderName } from '../providers/types.js';

export type { CallKind, ProviderName };

export type WindowName = 'minute' | 'hour' | 'day' | 'month';
export type CalendarWindow = Exclude<WindowName, 'minute'>;

export interface QuotaLimits {
  minute?: number;
  hour?: number;
  day?: number;
  month?: number;
  /** token bucket for bursts; when only `burst` is set, the rate is `minute / 60` per second */
  ratePerSec?: number;
  burst?: number;
  /**
   * Extra time a grant stays in the sliding minute (ms). It absorbs the delay between our grant and
   * the upstream receiving the call, so a late first call and an early fifth call never land in one
   * upstream minute. Default 0.
   */
  minuteMarginMs?: number;
}

export interface QuotaWindowSummary {
  window: WindowName;
  used: number;
  limit: number;
  remaining: number;
  percent: number;
  /** epoch ms; for the sliding minute: when the oldest call in the span leaves it */
  resetsAt: number;
}

export type QuotaStatus = 'healthy' | 'warning' | 'critical';

export interface QuotaSummary {
  /** label, never the secret */
  key: string;
  windows: QuotaWindowSummary[];
  /** from the hottest window, the sliding minute included (a full minute is not healthy) */
  status: QuotaStatus;
  canMakeRequest: boolean;
  recommendedBackoffMs: number;
  pausedUntil: number | null;
  keyHealthy: boolean;
  /** calls counted by kind since start */
  ledger: Record<CallKind, number>;
  lastReconciledAt: number | null;
  /** where the counts live: this process, Redis, or this process's fallback share while Redis is away */
  backend?: 'memory' | 'redis' | 'local-fallback';
  /** A key pool's members, in pool order, each under its label (windows above are their sum over the keys in rotation). */
  keys?: Array<QuotaSummary & { label: string; revoked: boolean }>;
}

export interface AcquireOptions {
  signal?: AbortSignal;
  kind?: CallKind;
  /** fraction of the day/month windows this caller may not spend (the interactive reserve), e.g. 0.2 */
  reserve?: number;
}

export type TryAcquireResult = { ok: true } | { ok: false; retryInMs: number; reason: string };

export interface ReconcileReport {
  hour?: { used: number; allowed?: number };
  day?: { used: number; allowed?: number };
  month?: { used: number; allowed?: number };
}

export interface Governor {
  configure(key: string, limits: QuotaLimits): void;
  limits(key: string): QuotaLimits;
  /** Waits until a call is allowed under every window, the bucket, any pause and the reserve; then counts it. Rejects when the signal aborts. */
  acquire(key: string, options?: AcquireOptions): Promise<void>;
  /** Non-waiting variant: counts and returns {ok:true}, or returns how long until it could be granted. */
  tryAcquire(key: string, options?: AcquireOptions): Promise<TryAcquireResult>;
  /** After an upstream 429 QuotaExceededError (or a known reset time): no grants until `until`. */
  pause(key: string, until: number): void;
  /** Mark a key unusable after 401/403 (grants fail fast with a KeyUnhealthyError) or healthy again. */
  setKeyHealthy(key: string, healthy: boolean): void;
  /**
   * Gives back the latest grant of `key` whose request never left this host (DNS failure,
   * connection refused): its counts in every window, its bucket token and its ledger entry.
   */
  release(key: string, options?: { kind?: CallKind }): Promise<void>;
  /** Upstream says more was used (another tool shares the key): believe it. Also adopts reported limits. */
  reconcile(key: string, report: ReconcileReport): Promise<void>;
  summary(key: string, options?: { threshold?: number }): Promise<QuotaSummary>;
  /**
   * Time until `calls` more calls could all be granted at the current limits: every window, the
   * token bucket, a pause, and `reserve` (the share of each window kept for interactive callers;
   * batch and background work pass the scheduler's). The one estimate every ETA comes from.
   */
  eta(key: string, calls: number, options?: { reserve?: number }): Promise<number>;
  close(): Promise<void>;
}
