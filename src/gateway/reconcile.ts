/**
 * Reconciles the governor with VirusTotal's own counters (`/users/{id}/overall_quotas`) on a
 * schedule and right after a 429: when VirusTotal says more was used (another tool shares the
 * key), the governor believes it. Reported allowances replace configured ones (premium keys).
 */
import type { Clock } from '../clock/index.js';
import type { LimitsConfig } from '../config/index.js';
import type { Governor, ReconcileReport } from '../governor/index.js';
import type { OverallQuotas, QuotaWindow, VirusTotalClient } from '../providers/virustotal/index.js';

export interface ReconcilerOptions {
  /** VirusTotal's client, loaded on the first reconciliation. */
  client: () => Promise<VirusTotalClient>;
  governor: Governor;
  key: string;
  userId: string;
  /** A pool member's governor key: the quota read goes out on that key (default: the client's one key). */
  viaKey?: string;
  clock: Clock;
  intervalMs: number;
  configuredLimits: LimitsConfig;
  /** Limits the user set explicitly are caps: VirusTotal's reported allowances may lower them, never raise them. */
  limitsAreCaps?: boolean;
}

/** The tighter of the user and group counters, as one used/allowed pair. */
export function effectiveWindow(w: QuotaWindow | undefined): { used: number; allowed?: number } | undefined {
  if (!w) return undefined;
  const { user, group } = w;
  if (!group || group.allowed <= 0) return { used: user.used, allowed: user.allowed > 0 ? user.allowed : undefined };
  const remaining = Math.min(user.allowed - user.used, group.allowed - group.used);
  const allowed = user.allowed > 0 ? user.allowed : group.allowed;
  return { used: Math.max(user.used, allowed - remaining), allowed };
}

export function reconcileReport(q: OverallQuotas): ReconcileReport {
  const out: ReconcileReport = {};
  const hour = effectiveWindow(q.hourly);
  const day = effectiveWindow(q.daily);
  const month = effectiveWindow(q.monthly);
  if (hour) out.hour = hour;
  if (day) out.day = day;
  if (month) out.month = month;
  return out;
}

export class QuotaReconciler {
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  /** null until the first attempt; then whether VirusTotal answered. */
  reachable: boolean | null = null;
  lastError: string | undefined;

  constructor(private readonly options: ReconcilerOptions) {}

  /** Starts the periodic reads (again after `stop`: a cluster moves this role between instances). */
  start(): void {
    if (this.#timer && !this.#stopped) return;
    this.#stopped = false;
    this.soon(0);
    this.#timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.#timer.unref();
  }

  /** Runs a reconciliation shortly (debounced), e.g. after a 429. */
  soon(delayMs = 1000): void {
    if (this.#stopped || this.#soon) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      void this.runOnce();
    }, delayMs);
    this.#soon.unref();
  }

  /**
   * Asks VirusTotal once when nothing is known yet (a one-shot command reconciles only when it calls
   * upstream), waiting at most `timeoutMs`: the quota read is free.
   */
  async probe(timeoutMs: number): Promise<void> {
    if (this.reachable !== null) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.runOnce(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** One reconciliation; never throws (failures are remembered in `reachable` / `lastError`). */
  runOnce(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    const { client, governor, key, userId } = this.options;
    try {
      // Quota reads are not counted against the quota by VirusTotal's simulator and, per the
      // reference, likely not by VirusTotal; they bypass the governor so they still work while paused.
      const via = this.options.viaKey;
      const quotas = await (await client()).overallQuotas(userId, { signal: AbortSignal.timeout(15_000), ...(via ? { permit: async () => via } : {}) });
      this.reachable = true;
      this.lastError = undefined;
      const report = reconcileReport(quotas);
      // caps apply before the governor sees the allowances: it wakes waiters on the new limits at once
      if (this.options.limitsAreCaps) capAllowances(report, this.options.configuredLimits);
      await governor.reconcile(key, report);
      if (this.options.limitsAreCaps) this.#applyCaps();
      else this.#adoptMinuteRate(report);
    } catch (err) {
      const e = err as { status?: number; code?: string; message?: string };
      // A 403/404 here means the key may not read its quotas (some group setups): not an outage.
      // status 0 is no answer at all (refused, reset, DNS, timeout): unreachable
      this.reachable = e.status !== undefined && e.status > 0 && e.status < 500;
      this.lastError = e.code ?? e.message;
    }
  }

  /** VirusTotal reports no minute window; a premium allowance implies a higher minute rate too. */
  #adoptMinuteRate(report: ReconcileReport): void {
    const { governor, key, configuredLimits } = this.options;
    const hourly = report.hour?.allowed;
    const daily = report.day?.allowed;
    const configuredDay = configuredLimits.day ?? 500;
    if (!daily || daily <= configuredDay) return;
    const current = governor.limits(key);
    const perMinute = Math.max(current.minute ?? 4, Math.ceil((hourly ?? daily / 24) / 60));
    if (perMinute !== current.minute) {
      governor.configure(key, { ...current, minute: perMinute, burst: Math.max(current.burst ?? 1, Math.ceil(perMinute / 4)) });
    }
  }

  #applyCaps(): void {
    const { governor, key, configuredLimits } = this.options;
    const current = governor.limits(key);
    const capped = { ...current };
    for (const w of ['minute', 'hour', 'day', 'month'] as const) {
      const cap = configuredLimits[w];
      if (cap !== undefined) capped[w] = Math.min(cap, current[w] ?? cap);
    }
    if (w4(capped) !== w4(current)) governor.configure(key, capped);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#soon) clearTimeout(this.#soon);
  }
}

/** Lowers each reported allowance to the explicit cap of its window. */
function capAllowances(report: ReconcileReport, caps: LimitsConfig): void {
  for (const w of ['hour', 'day', 'month'] as const) {
    const r = report[w];
    const cap = caps[w];
    if (r?.allowed !== undefined && cap !== undefined) r.allowed = Math.min(r.allowed, cap);
  }
}

function w4(l: LimitsConfig): string {
  return `${l.minute}/${l.hour}/${l.day}/${l.month}`;
}

/** One reconciler per key of a pool, driven as one (a pool of one key is one reconciler). */
export class QuotaReconcilers {
  constructor(readonly members: readonly QuotaReconciler[]) {}

  /** null until each key was tried once; false when VirusTotal did not answer for some key. */
  get reachable(): boolean | null {
    const all = this.members.map((r) => r.reachable);
    if (all.includes(false)) return false;
    return all.includes(null) ? null : true;
  }

  get lastError(): string | undefined {
    return this.members.find((r) => r.lastError !== undefined)?.lastError;
  }

  start(): void {
    for (const r of this.members) r.start();
  }

  soon(delayMs?: number): void {
    for (const r of this.members) r.soon(delayMs);
  }

  async probe(timeoutMs: number): Promise<void> {
    await Promise.all(this.members.map((r) => r.probe(timeoutMs)));
  }

  async runOnce(): Promise<void> {
    await Promise.all(this.members.map((r) => r.runOnce()));
  }

  stop(): void {
    for (const r of this.members) r.stop();
  }
}
