/** Time source for everything time-based, so tests can run in fake time. */
export interface Clock {
  /** Current time in epoch milliseconds (UTC). */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * Manual clock for tests: time moves only when `advance` or `runUntil` is called.
 * Sleepers wake in time order; each wake-up lets pending promise callbacks run before
 * the next one, so code that sleeps in a loop behaves as it would in real time.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #sleepers: Sleeper[] = [];

  constructor(start = Date.UTC(2026, 0, 15, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const sleeper: Sleeper = { at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve: () => {} };
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(abortReason(signal as AbortSignal));
      };
      sleeper.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /** Number of pending sleepers (useful to wait until code under test is idle). */
  get pending(): number {
    return this.#sleepers.length;
  }

  /** Moves time forward by `ms`, waking every sleeper due on the way, in order. */
  async advance(ms: number): Promise<void> {
    await this.runUntil(this.#now + ms);
  }

  /** Moves time to `target`, waking sleepers in order and flushing microtasks between them. */
  async runUntil(target: number): Promise<void> {
    await flush();
    for (;;) {
      const next = this.#nextDue(target);
      if (!next) break;
      this.#sleepers = this.#sleepers.filter((s) => s !== next);
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
      await flush();
    }
    this.#now = Math.max(this.#now, target);
    await flush();
  }

  /** Advances to each next sleeper until `done()` is true or `limitMs` of fake time has passed. */
  async runWhile(done: () => boolean, limitMs = 365 * 24 * 3600_000): Promise<void> {
    const end = this.#now + limitMs;
    await flush();
    while (!done() && this.#now < end) {
      const next = this.#nextDue(end);
      if (!next) {
        await flush();
        if (!this.#nextDue(end) && !done()) break;
        continue;
      }
      this.#sleepers = this.#sleepers.filter((s) => s !== next);
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
      await flush();
    }
  }

  #nextDue(limit: number): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.#sleepers) {
      if (s.at > limit) continue;
      if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    }
    return best;
  }
}

/** Lets queued promise callbacks and I/O callbacks run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * Real time running `scale` times faster, anchored at `anchor` (epoch ms). Processes that share
 * the same anchor and scale agree on the time, so a simulator and several gateway processes can
 * run hours of quota windows in seconds (used by tests and benchmarks).
 */
export class ScaledClock implements Clock {
  constructor(
    readonly scale: number,
    readonly anchor: number = Date.now(),
  ) {
    if (!(scale > 0)) throw new RangeError('scale must be positive');
  }

  now(): number {
    return Math.floor(this.anchor + (Date.now() - this.anchor) * this.scale);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms / this.scale, signal);
  }
}

/** Clock from the environment: `VTG_TIME_SCALE` (and optional `VTG_TIME_ANCHOR`) select a ScaledClock. */
export function clockFromEnv(env: Record<string, string | undefined>): Clock {
  const scale = Number(env.VTG_TIME_SCALE ?? '');
  if (!Number.isFinite(scale) || scale <= 0 || scale === 1) return systemClock;
  const anchor = Number(env.VTG_TIME_ANCHOR ?? '');
  return new ScaledClock(scale, Number.isFinite(anchor) && anchor > 0 ? anchor : Date.now());
}
