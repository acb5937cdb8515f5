import type { Clock } from '../clock/index.js';
import type { Blocked } from './state.js';
import type { AcquireOptions } from './types.js';

export type AttemptResult = { ok: true } | ({ ok: false } & Blocked);

interface Waiter {
  options: AcquireOptions;
  resolve: () => void;
  reject: (err: unknown) => void;
  done: boolean;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/**
 * FIFO of callers waiting for a grant on one key. One pump asks `attempt` for the head waiter;
 * when refused it sleeps exactly the time the refusal names (never a fixed or busy wait), and
 * `wake()` cuts the sleep short when the key's state changes. A waiter refused only because of its
 * reserve lets later waiters with a smaller reserve through.
 */
export class WaiterGate {
  #waiters: Waiter[] = [];
  #pumping = false;
  #wake: AbortController | null = null;
  /** set by wake(): a change arrived while an attempt was in progress */
  #dirty = false;

  constructor(
    private readonly clock: Clock,
    private readonly attempt: (options: AcquireOptions) => Promise<AttemptResult>,
  ) {}

  get size(): number {
    return this.#waiters.length;
  }

  enqueue(options: AcquireOptions): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        if (waiter.done) return;
        this.#finish(waiter);
        reject(abortReason(signal as AbortSignal));
        this.wake();
      };
      const waiter: Waiter = {
        options,
        done: false,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      // a newcomer with a smaller reserve may be grantable while the head waits on its reserve
      if (this.#pumping) this.wake();
      void this.#pump();
    });
  }

  /** Re-evaluate now (a pause, limit, health or reconcile change). */
  wake(): void {
    this.#dirty = true;
    this.#wake?.abort();
  }

  /** Rejects every waiter with `err`. */
  rejectAll(err: unknown): void {
    for (const w of [...this.#waiters]) {
      this.#finish(w);
      w.reject(err);
    }
    this.wake();
  }

  #finish(w: Waiter): void {
    w.done = true;
    const i = this.#waiters.indexOf(w);
    if (i >= 0) this.#waiters.splice(i, 1);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#waiters.length > 0) {
        const head = this.#waiters[0] as Waiter;
        this.#dirty = false;
        let result: AttemptResult;
        try {
          result = await this.attempt(head.options);
        } catch (err) {
          if (!head.done) {
            this.#finish(head);
            head.reject(err);
          }
          continue;
        }
        if (result.ok) {
          // If the head left while its grant was being counted, the next waiter takes the grant.
          const taker = head.done ? this.#waiters[0] : head;
          if (taker) {
            this.#finish(taker);
            taker.resolve();
          }
          continue;
        }
        let wait = result.wait;
        if (result.reserveOnly && (await this.#grantBehind(head, (w) => (wait = Math.min(wait, w))))) continue;
        if (head.done || this.#dirty) continue;
        const wake = new AbortController();
        this.#wake = wake;
        try {
          await this.clock.sleep(Math.max(1, wait), wake.signal);
        } catch {
          // woken early: re-evaluate
        } finally {
          if (this.#wake === wake) this.#wake = null;
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Tries waiters behind a reserve-blocked head that have a smaller reserve. */
  async #grantBehind(head: Waiter, onWait: (ms: number) => void): Promise<boolean> {
    const headReserve = head.options.reserve ?? 0;
    for (const w of [...this.#waiters]) {
      if (w === head || w.done || (w.options.reserve ?? 0) >= headReserve) continue;
      let r: AttemptResult;
      try {
        r = await this.attempt(w.options);
      } catch (err) {
        if (!w.done) {
          this.#finish(w);
          w.reject(err);
        }
        return true;
      }
      if (r.ok) {
        if (!w.done) {
          this.#finish(w);
          w.resolve();
        }
        return true;
      }
      onWait(r.wait);
      if (!r.reserveOnly) return false;
    }
    return false;
  }
}
