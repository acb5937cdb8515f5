/**
 * Keeps the in-process governor's counts in the store, so consecutive `vtg` runs (and a restarted
 * service) remember what they spent: without it each run would believe it had a fresh minute and
 * day. Saving merges with what another process on the same data dir saved, keeping the larger
 * counts, so no process can make the shared picture look emptier than it is.
 */
import type { MemoryGovernor, QuotaSnapshot } from '../governor/index.js';
import type { KvRepository } from '../store/index.js';

const PREFIX = 'governor:';

function parse(text: string | undefined): QuotaSnapshot | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as QuotaSnapshot;
  } catch {
    return undefined;
  }
}

/** The union of two snapshots of one key: every minute grant of both, the larger calendar counts. */
export function mergeSnapshots(a: QuotaSnapshot, b: QuotaSnapshot | undefined): QuotaSnapshot {
  if (!b) return a;
  const minute = [...new Set([...a.minute, ...b.minute])].sort((x, y) => x - y);
  const calendar = { ...a.calendar };
  for (const [w, count] of Object.entries(b.calendar) as Array<[keyof QuotaSnapshot['calendar'], { start: number; used: number }]>) {
    const mine = calendar[w];
    if (!mine || count.start > mine.start) calendar[w] = count;
    else if (count.start === mine.start) calendar[w] = { start: mine.start, used: Math.max(mine.used, count.used) };
  }
  const ledger = { ...a.ledger };
  for (const [k, n] of Object.entries(b.ledger) as Array<[keyof QuotaSnapshot['ledger'], number]>) ledger[k] = Math.max(ledger[k] ?? 0, n);
  return {
    ...a,
    minute,
    calendar,
    ledger,
    pausedUntil: Math.max(a.pausedUntil, b.pausedUntil),
    lastReconciledAt: Math.max(a.lastReconciledAt ?? 0, b.lastReconciledAt ?? 0) || null,
  };
}

export class QuotaPersistence {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly governor: MemoryGovernor,
    private readonly kv: KvRepository,
    private readonly keys: string[],
  ) {}

  /** Restores saved counts; the limits configured now win over saved ones. */
  async restore(): Promise<void> {
    for (const key of this.keys) {
      const saved = parse(await this.kv.get(PREFIX + key));
      if (!saved) continue;
      const limits = this.governor.limits(key);
      this.governor.load(key, { ...saved, limits, healthy: true });
    }
  }

  async save(): Promise<void> {
    for (const key of this.keys) {
      const mine = this.governor.snapshot(key);
      const merged = mergeSnapshots(mine, parse(await this.kv.get(PREFIX + key)));
      await this.kv.set(PREFIX + key, JSON.stringify(merged));
    }
  }

  start(everyMs = 5000): void {
    this.#timer = setInterval(() => {
      // a busy or closing store: the next save (or close) writes it
      this.save().catch(() => {});
    }, everyMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.save();
  }
}
