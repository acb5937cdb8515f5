/** The local share a Redis governor serves from while Redis is unreachable. */
import type { CallKind } from '../providers/types.js';
import { type QuotaSnapshot, emptyLedger, emptySnapshot } from './state.js';
import type { CalendarWindow, QuotaLimits, ReconcileReport } from './types.js';
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

export function emptyOwn(): OwnGrants {
  return { minute: [], calendar: {}, ledger: emptyLedger() };
}

/** Remembers one grant this process made (`span`: how long it stays in the sliding minute). */
export function recordOwn(own: OwnGrants, member: string, at: number, kind: CallKind, span: number): void {
  own.minute.push({ member, at });
  while (own.minute.length > 0 && (own.minute[0]?.at ?? 0) <= at - span) own.minute.shift();
  for (const w of CALENDAR_WINDOWS) {
    const start = windowStart(w, at);
    const c = own.calendar[w];
    if (c && c.start === start) c.used++;
    else if (!c || c.start < start) own.calendar[w] = { start, used: 1 };
  }
  own.ledger[kind]++;
}

/** Forgets this process's latest grant (given back); returns it, or undefined when none is known. */
export function forgetLatestOwn(own: OwnGrants | undefined, kind: CallKind): { member: string; at: number } | undefined {
  const last = own?.minute.pop();
  if (!own || !last) return undefined;
  for (const w of CALENDAR_WINDOWS) {
    const c = own.calendar[w];
    if (c && c.start === windowStart(w, last.at) && c.used > 0) c.used--;
  }
  if (own.ledger[kind] > 0) own.ledger[kind]--;
  return last;
}

/** A grant made from the local share while Redis was away, not pushed yet. */
export interface PendingGrant {
  member: string;
  at: number;
  kind: CallKind;
}

/** Per key: what this process granted (`own`) and which fallback grants still await a push (`pending`). */
export class OwnLedger {
  readonly own = new Map<string, OwnGrants>();
  readonly pending = new Map<string, PendingGrant[]>();

  constructor(private readonly span: (key: string) => number) {}

  record(key: string, member: string, at: number, kind: CallKind): void {
    let own = this.own.get(key);
    if (!own) {
      own = emptyOwn();
      this.own.set(key, own);
    }
    recordOwn(own, member, at, kind, this.span(key));
  }

  recordLocal(key: string, member: string, at: number, kind: CallKind): void {
    this.record(key, member, at, kind);
    let list = this.pending.get(key);
    if (!list) {
      list = [];
      this.pending.set(key, list);
    }
    list.push({ member, at, kind });
  }

  /** Forgets the latest grant of `key`; `pending` tells whether it was an unpushed fallback grant. */
  forgetLatest(key: string, kind: CallKind): { member: string; at: number; pending: boolean } | undefined {
    const last = forgetLatestOwn(this.own.get(key), kind);
    if (!last) return undefined;
    const list = this.pending.get(key) ?? [];
    const i = list.findIndex((p) => p.member === last.member);
    if (i >= 0) list.splice(i, 1);
    return { ...last, pending: i >= 0 };
  }

  keys(): string[] {
    return [...new Set([...this.own.keys(), ...this.pending.keys()])];
  }
}

type WindowCounts = Partial<Record<CalendarWindow, { start: number; used: number }>>;

/** The shared counts this process last saw per key (what the local share is seeded from). */
export class LastShared {
  readonly #counts = new Map<string, WindowCounts>();

  get(key: string): WindowCounts {
    return this.#counts.get(key) ?? {};
  }

  /** Counts the acquire script returned. */
  note(key: string, used: Record<CalendarWindow, number>, now: number): void {
    const shared = this.get(key);
    for (const w of CALENDAR_WINDOWS) shared[w] = { start: windowStart(w, now), used: Number(used[w]) };
    this.#counts.set(key, shared);
  }

  /** Counts the upstream reported: believed when higher. */
  noteReported(key: string, report: ReconcileReport, now: number): void {
    const shared = this.get(key);
    for (const w of CALENDAR_WINDOWS) {
      const r = report[w];
      if (!r) continue;
      const start = windowStart(w, now);
      const prev = shared[w]?.start === start ? (shared[w]?.used ?? 0) : 0;
      shared[w] = { start, used: Math.max(prev, r.used) };
    }
    this.#counts.set(key, shared);
  }
}

/** The part of an upstream report the local share believes: `share` of each count, no limits. */
export function scaledReport(report: ReconcileReport, share: number): ReconcileReport {
  const scaled: ReconcileReport = {};
  for (const w of CALENDAR_WINDOWS) {
    const r = report[w];
    if (r) scaled[w] = { used: Math.ceil(r.used * share) };
  }
  return scaled;
}
