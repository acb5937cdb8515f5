/**
 * Single-flight across instances: before an instance asks upstream for an indicator it takes the
 * indicator's lock (a lease, so a dead holder blocks the others for one lease at most). The others
 * wait for the holder's "done" message (or see the lock gone when polling), then read the answer
 * from the shared cache. In-process single-flight (the scheduler) stays in front: callers joining a
 * local flight never get here. Redis away: every instance fetches on its own (local single-flight).
 */
import { Lease } from './lease.js';
import type { ClusterLink } from './link.js';

const CHANNEL = 'flight-done';

export interface FlightStats {
  /** Upstream fetches this instance made holding the cluster lock. */
  led: number;
  /** Lookups answered from the cache after waiting for another instance's fetch. */
  joined: number;
  /** Fetches made without the lock because Redis was away. */
  unlocked: number;
}

export class ClusterFlights {
  readonly stats: FlightStats = { led: 0, joined: 0, unlocked: 0 };
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #pollMs: number;

  constructor(
    private readonly link: ClusterLink,
    private readonly leaseMs: number,
  ) {
    this.#pollMs = Math.min(1000, Math.max(100, Math.floor(leaseMs / 5)));
    link.subscribe(CHANNEL, (key) => this.#wake(key));
  }

  /**
   * `fetch` goes upstream; `settled` reads a fresh cached answer (undefined when there is none).
   * Resolves with one of them; rejects with `fetch`'s error or the caller's abort.
   */
  async run<T>(key: string, fetch: () => Promise<T>, settled: () => Promise<T | undefined>, signal?: AbortSignal): Promise<T> {
    const name = `flight:${key}`;
    for (;;) {
      signal?.throwIfAborted();
      const lease = await Lease.take(this.link, name, this.leaseMs);
      if (lease) {
        try {
          // another instance may have finished between our cache miss and taking the lock
          const done = await settled();
          if (done !== undefined) {
            this.stats.joined++;
            return done;
          }
          this.stats.led++;
          return await fetch();
        } finally {
          await lease.release();
          this.link.publish(CHANNEL, key);
        }
      }
      if (this.link.state !== 'ready') {
        this.stats.unlocked++;
        return fetch();
      }
      await this.#waitFor(key, name, signal);
      const done = await settled();
      if (done !== undefined) {
        this.stats.joined++;
        return done;
      }
      // the holder failed or died without an answer: take the lock ourselves
    }
  }

  /**
   * `run` for answers no shared cache keeps (raw VirusTotal GETs: relationship pages, collections):
   * the holder leaves its answer in Redis for a lease's time (unless `share` says no), and the
   * instances that waited take it from there. `joined` says the answer came from another's call.
   */
  async runShared<T>(key: string, fetch: () => Promise<T>, share: (value: T) => boolean, signal?: AbortSignal): Promise<{ value: T; joined: boolean }> {
    const name = `flight-answer:${key}`;
    return this.run<{ value: T; joined: boolean }>(
      key,
      async () => {
        const value = await fetch();
        if (share(value)) await this.link.put(name, JSON.stringify(value), this.leaseMs);
        return { value, joined: false };
      },
      async () => {
        const kept = await this.link.value(name);
        return kept === null ? undefined : { value: JSON.parse(kept) as T, joined: true };
      },
      signal,
    );
  }

  /** Until the holder says it is done, the lock is gone, Redis is away or the caller aborts. */
  async #waitFor(key: string, name: string, signal?: AbortSignal): Promise<void> {
    let set = this.#waiters.get(key);
    if (!set) {
      set = new Set();
      this.#waiters.set(key, set);
    }
    let wake: () => void = () => undefined;
    const woken = new Promise<void>((r) => {
      wake = r;
    });
    set.add(wake);
    const onAbort = () => wake();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        const polled = await Promise.race([woken.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.#pollMs)))]);
        clearTimeout(timer);
        signal?.throwIfAborted();
        if (!polled) return;
        if ((await this.link.held(name)) !== true) return;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      set.delete(wake);
      if (set.size === 0) this.#waiters.delete(key);
    }
  }

  #wake(key: string): void {
    for (const fn of this.#waiters.get(key) ?? []) fn();
  }
}
