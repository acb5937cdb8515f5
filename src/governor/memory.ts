import { type Clock, systemClock } from '../clock/index.js';
import type { CallKind } from '../providers/types.js';
import { GovernorClosedError, KeyUnhealthyError } from './errors.js';
import { type AttemptResult, WaiterGate } from './gate.js';
import {
  CALL_KINDS,
  type QuotaSnapshot,
  cloneSnapshot,
  commitGrant,
  releaseGrant,
  emptySnapshot,
  simulateEta,
  simulateSeries,
  summarize,
  waitTime,
} from './state.js';
import type { AcquireOptions, Governor, QuotaLimits, QuotaSummary, ReconcileReport, TryAcquireResult } from './types.js';
import { CALENDAR_WINDOWS, windowStart } from './windows.js';

export interface MemoryGovernorOptions {
  clock?: Clock;
  /** Called after each grant is counted (the Redis governor uses it to remember fallback grants). */
  onGrant?: (key: string, at: number, kind: CallKind) => void;
}

/** Governor for one process: every count lives in this object. */
export class MemoryGovernor implements Governor {
  readonly #clock: Clock;
  readonly #onGrant: MemoryGovernorOptions['onGrant'];
  readonly #states = new Map<string, QuotaSnapshot>();
  readonly #gates = new Map<string, WaiterGate>();
  #closed = false;

  constructor(options: MemoryGovernorOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#onGrant = options.onGrant;
  }

  configure(key: string, limits: QuotaLimits): void {
    this.#state(key).limits = { ...limits };
    this.#gates.get(key)?.wake();
  }

  limits(key: string): QuotaLimits {
    return { ...this.#state(key).limits };
  }

  acquire(key: string, options: AcquireOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new GovernorClosedError());
    return this.#gate(key).enqueue(options);
  }

  async tryAcquire(key: string, options: AcquireOptions = {}): Promise<TryAcquireResult> {
    if (this.#closed) throw new GovernorClosedError();
    const gate = this.#gates.get(key);
    if (gate && gate.size > 0) {
      const blocked = waitTime(this.#state(key), this.#clock.now(), options.reserve ?? 0);
      return { ok: false, retryInMs: Math.max(1, blocked.wait), reason: 'queued' };
    }
    const r = this.#attempt(key, options);
    return r.ok ? r : { ok: false, retryInMs: r.wait, reason: r.reason };
  }

  pause(key: string, until: number): void {
    const s = this.#state(key);
    s.pausedUntil = Math.max(s.pausedUntil, until);
    this.#gates.get(key)?.wake();
  }

  setKeyHealthy(key: string, healthy: boolean): void {
    this.#state(key).healthy = healthy;
    this.#gates.get(key)?.wake();
  }

  async reconcile(key: string, report: ReconcileReport): Promise<void> {
    const s = this.#state(key);
    const now = this.#clock.now();
    for (const w of CALENDAR_WINDOWS) {
      const r = report[w];
      if (!r) continue;
      if (r.allowed !== undefined && r.allowed > 0) s.limits[w] = r.allowed;
      const start = windowStart(w, now);
      const c = s.calendar[w];
      const ours = c && c.start === start ? c.used : 0;
      s.calendar[w] = { start, used: Math.max(ours, r.used) };
    }
    s.lastReconciledAt = now;
    this.#gates.get(key)?.wake();
  }

  async release(key: string, options: { kind?: CallKind } = {}): Promise<void> {
    releaseGrant(this.#state(key), this.#clock.now(), options.kind ?? 'lookup');
    this.#gates.get(key)?.wake();
  }

  async summary(key: string, options: { threshold?: number } = {}): Promise<QuotaSummary> {
    return summarize(key, this.#state(key), this.#clock.now(), options.threshold, 'memory');
  }

  async eta(key: string, calls: number, options: { reserve?: number } = {}): Promise<number> {
    return simulateEta(this.#state(key), this.#clock.now(), calls, options.reserve ?? 0);
  }

  /** When each of `calls` more calls could be granted (ms from now), in order: a key pool's ETA merges its keys'. */
  async etaSeries(key: string, calls: number, options: { reserve?: number } = {}): Promise<number[]> {
    return simulateSeries(this.#state(key), this.#clock.now(), calls, options.reserve ?? 0);
  }

  /** A copy of everything known about `key` (for persistence and the Redis fallback). */
  snapshot(key: string): QuotaSnapshot {
    return cloneSnapshot(this.#state(key));
  }

  /** Replaces the state of `key` (for persistence and the Redis fallback). */
  load(key: string, snapshot: QuotaSnapshot): void {
    const s = cloneSnapshot(snapshot);
    for (const k of CALL_KINDS) s.ledger[k] ??= 0;
    this.#states.set(key, s);
    this.#gates.get(key)?.wake();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const gate of this.#gates.values()) gate.rejectAll(new GovernorClosedError());
  }

  #state(key: string): QuotaSnapshot {
    let s = this.#states.get(key);
    if (!s) {
      s = emptySnapshot();
      this.#states.set(key, s);
    }
    return s;
  }

  #gate(key: string): WaiterGate {
    let g = this.#gates.get(key);
    if (!g) {
      g = new WaiterGate(this.#clock, async (o) => this.#attempt(key, o));
      this.#gates.set(key, g);
    }
    return g;
  }

  #attempt(key: string, options: AcquireOptions): AttemptResult {
    if (this.#closed) throw new GovernorClosedError();
    const s = this.#state(key);
    if (!s.healthy) throw new KeyUnhealthyError(key);
    const now = this.#clock.now();
    const blocked = waitTime(s, now, options.reserve ?? 0);
    if (blocked.wait > 0) return { ok: false, ...blocked };
    const kind = options.kind ?? 'lookup';
    commitGrant(s, now, kind);
    this.#onGrant?.(key, now, kind);
    return { ok: true };
  }
}
