import { type Clock, systemClock } from '../clock/index.js';
import type { Governor, KeyPool } from '../governor/index.js';
import type { CallKind, Permit } from '../providers/types.js';
import { QueueFullError, SchedulerClosedError } from './errors.js';
import { type QueueEntry, TaskQueue } from './queue.js';
import { DEFAULT_RETRY, backoffDelay, classifyError, neverSent, retryAfterMs } from './retry.js';
import {
  PRIORITIES,
  type Priority,
  type RetryPolicy,
  type SchedulerEvent,
  type SchedulerOptions,
  type SchedulerStats,
  type Task,
  type TaskOptions,
} from './types.js';

const RANK: Record<Priority, number> = { interactive: 0, batch: 1, background: 2 };
/** Longest pause after repeated 429 QuotaExceededErrors when the governor cannot tell which window is out. */
const MAX_QUOTA_PAUSE_MS = 3_600_000;

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

interface Flight extends QueueEntry {
  key: string | undefined;
  task: Task<unknown>;
  kind: CallKind;
  /** aborted when every waiter left, or on close; the running task sees it as ctx.signal */
  controller: AbortController;
  waiters: Set<Waiter>;
  state: 'queued' | 'running' | 'backoff' | 'done';
  /** attempts that count against maxAttempts */
  attempts: number;
  /** task function calls */
  calls: number;
  /** the governor key whose grant the running attempt holds (a pool member, or the one key) */
  grantKey: string;
}

function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; name?: unknown };
    if (typeof e.code === 'string') return e.code;
    if (typeof e.name === 'string') return e.name;
  }
  return 'Error';
}

/**
 * Priority queue in front of one governor key. A task starts when it is first in priority order
 * (interactive > batch > background, round-robin between tenants inside a class) and the governor
 * has granted its first call. Same `key` = one shared execution. Transient failures are retried here.
 */
export class Scheduler {
  readonly #governor: Governor;
  readonly #key: string;
  readonly #pool: KeyPool | undefined;
  readonly #clock: Clock;
  readonly #concurrency: number;
  readonly #reserve: number;
  readonly #retry: RetryPolicy;
  readonly #maxQueue: number;
  readonly #random: () => number;
  readonly #onEvent: ((e: SchedulerEvent) => void) | undefined;

  readonly #queue = new TaskQueue<Flight>();
  readonly #flights = new Map<string, Flight>();
  readonly #backoff = new Set<Flight>();
  readonly #running = new Map<Flight, Promise<void>>();
  readonly #stats: SchedulerStats = {
    submitted: 0,
    joined: 0,
    started: 0,
    retried: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
  };
  #seq = 0;
  #closed = false;
  #dispatching = false;
  /** the governor request in progress, so a more urgent task or an empty queue can cut it short */
  #acquiring: { controller: AbortController; priority: Priority } | null = null;
  #quotaStreak = 0;
  /** keys this scheduler saw refused (401) */
  readonly #refused = new Set<string>();

  constructor(options: SchedulerOptions) {
    this.#governor = options.governor;
    this.#key = options.key;
    this.#pool = options.pool && options.pool.members.length > 1 ? options.pool : undefined;
    this.#clock = options.clock ?? systemClock;
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#reserve = options.interactiveReserve ?? 0.2;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#maxQueue = options.maxQueue ?? 100_000;
    this.#random = options.random ?? Math.random;
    this.#onEvent = options.onEvent;
  }

  run<T>(task: Task<T>, options: TaskOptions = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new SchedulerClosedError());
    this.#stats.submitted++;
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const priority = options.priority ?? 'batch';
    if (!(priority in RANK)) return Promise.reject(new RangeError(`unknown priority: ${String(priority)}`));

    const existing = options.key === undefined ? undefined : this.#flights.get(options.key);
    if (existing) {
      this.#stats.joined++;
      this.#emit({ type: 'join', key: existing.key as string });
      if (existing.slot && RANK[priority] < RANK[existing.priority]) {
        this.#queue.remove(existing);
        existing.priority = priority;
        this.#enqueue(existing);
      } else if (RANK[priority] < RANK[existing.priority]) {
        existing.priority = priority;
      }
      return this.#wait(existing, signal) as Promise<T>;
    }

    if (this.#pendingCount() >= this.#maxQueue) return Promise.reject(new QueueFullError(this.#maxQueue));
    const flight: Flight = {
      seq: this.#seq++,
      priority,
      tenant: options.tenant ?? '',
      slot: null,
      key: options.key,
      task: task as Task<unknown>,
      kind: options.kind ?? 'lookup',
      controller: new AbortController(),
      waiters: new Set(),
      state: 'queued',
      attempts: 0,
      calls: 0,
      grantKey: this.#key,
    };
    if (flight.key !== undefined) this.#flights.set(flight.key, flight);
    const result = this.#wait(flight, signal) as Promise<T>;
    this.#enqueue(flight);
    return result;
  }

  depth(): Record<Priority, number> {
    const d = Object.fromEntries(PRIORITIES.map((p) => [p, this.#queue.sizeOf(p)])) as Record<Priority, number>;
    for (const f of this.#backoff) d[f.priority]++;
    return d;
  }

  inFlight(key: string): boolean {
    return this.#flights.has(key);
  }

  stats(): SchedulerStats {
    return { ...this.#stats };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // nothing queued or running (a one-shot command's cached answer): no error to build
    if (!this.#acquiring && this.#queue.size === 0 && this.#backoff.size === 0 && this.#running.size === 0) return;
    const err = new SchedulerClosedError();
    this.#acquiring?.controller.abort(err);
    for (let f = this.#queue.pop(); f; f = this.#queue.pop()) this.#settle(f, 'cancelled', err);
    for (const f of [...this.#backoff]) f.controller.abort(err);
    for (const f of this.#running.keys()) f.controller.abort(err);
    await Promise.allSettled([...this.#running.values()]);
  }

  #pendingCount(): number {
    return this.#queue.size + this.#backoff.size;
  }

  #wait(flight: Flight, signal: AbortSignal | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        waiter.cleanup();
        flight.waiters.delete(waiter);
        reject(signal?.reason);
        if (flight.waiters.size === 0) this.#cancel(flight, signal?.reason);
      };
      const waiter: Waiter = {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      flight.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Every waiter left: drop the flight from the queue at once, or abort it where it is. */
  #cancel(flight: Flight, reason: unknown): void {
    if (flight.state === 'done') return;
    if (flight.key !== undefined && this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
    if (flight.state === 'queued') {
      this.#queue.remove(flight);
      this.#settle(flight, 'cancelled', reason);
      if (this.#queue.size === 0) this.#acquiring?.controller.abort();
      return;
    }
    flight.controller.abort(reason);
  }

  #enqueue(flight: Flight): void {
    flight.state = 'queued';
    this.#queue.add(flight);
    const current = this.#acquiring;
    if (current && RANK[flight.priority] < RANK[current.priority]) current.controller.abort();
    void this.#dispatch();
  }

  async #dispatch(): Promise<void> {
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      while (!this.#closed && this.#running.size < this.#concurrency) {
        const head = this.#queue.peek();
        if (!head) break;
        const controller = new AbortController();
        this.#acquiring = { controller, priority: head.priority };
        let granted = this.#key;
        try {
          const options = { signal: controller.signal, kind: head.kind, reserve: head.priority === 'interactive' ? 0 : this.#reserve };
          if (this.#pool) granted = await this.#pool.acquire(options);
          else await this.#governor.acquire(this.#key, options);
        } catch (err) {
          if (controller.signal.aborted) continue; // a more urgent task arrived, or the queue emptied
          // The governor refuses outright (key unhealthy, closed): the task cannot run.
          const f = this.#queue.pop();
          if (f) this.#settle(f, 'failed', err);
          continue;
        } finally {
          this.#acquiring = null;
        }
        const flight = this.#queue.pop();
        // No taker (all cancelled meanwhile): the grant stays counted, which errs on the safe side.
        if (flight) {
          flight.grantKey = granted;
          this.#start(flight);
        }
      }
    } finally {
      this.#dispatching = false;
    }
  }

  #start(flight: Flight): void {
    flight.state = 'running';
    if (flight.calls === 0) this.#stats.started++;
    const done = this.#execute(flight).finally(() => {
      this.#running.delete(flight);
      void this.#dispatch();
    });
    this.#running.set(flight, done);
  }

  async #execute(flight: Flight): Promise<void> {
    let firstGranted = true;
    let lastKind = flight.kind;
    const reserve = flight.priority === 'interactive' ? 0 : this.#reserve;
    // every call of one attempt goes out on the key its first grant came from (an upload URL belongs to it)
    const key = flight.grantKey;
    const permit: Permit = async (kind) => {
      if (firstGranted) {
        firstGranted = false;
        return key;
      }
      await this.#governor.acquire(key, { signal: flight.controller.signal, kind, reserve });
      lastKind = kind;
      return key;
    };
    flight.calls++;
    if (flight.calls > 1) this.#stats.retried++;
    const { signal } = flight.controller;
    try {
      const value = await flight.task({ permit, signal, attempt: flight.calls });
      this.#quotaStreak = 0;
      this.#settle(flight, 'completed', value);
    } catch (err) {
      if (signal.aborted) {
        this.#settle(flight, 'cancelled', signal.reason);
        return;
      }
      // the call never reached the upstream (DNS failure, connection refused): its grant goes back
      if (neverSent(err)) await this.#governor.release(key, { kind: lastKind }).catch(() => {});
      await this.#failed(flight, err, key);
    }
  }

  async #failed(flight: Flight, err: unknown, key: string): Promise<void> {
    const kind = classifyError(err);
    const now = this.#clock.now();
    if (kind === 'quota') {
      // Upstream says a quota window is out: stop every call on the key until it resets and put the
      // task back at its place; this is neither a failure nor an attempt.
      this.#quotaStreak++;
      const summary = await this.#governor.summary(key).catch(() => undefined);
      const escalation = this.#quotaStreak > 1 ? Math.min(60_000 * 2 ** (this.#quotaStreak - 2), MAX_QUOTA_PAUSE_MS) : 0;
      const pauseMs = retryAfterMs(err) ?? Math.max(1000, summary?.recommendedBackoffMs ?? 0, escalation);
      this.#pause(key, now + pauseMs, errorName(err));
      this.#emit({ type: 'requeue', key: flight.key, priority: flight.priority, error: errorName(err) });
      this.#requeue(flight);
      return;
    }
    if (kind === 'auth') {
      // calls in flight on the key when it was revoked are refused too: the key leaves rotation (and says so) once,
      // unless it was already out (another instance, a restored state)
      const first = !this.#refused.has(key);
      this.#refused.add(key);
      const wasHealthy = first && (await this.#governor.summary(key).then((s) => s.keyHealthy, () => true));
      this.#governor.setKeyHealthy(key, false);
      // a pool moves the call to a key still in rotation; the last refusal is the caller's error
      const retried = this.#pool ? await this.#pool.anyHealthy(key).catch(() => false) : false;
      const label = this.#pool?.labelOf(key);
      if (wasHealthy) this.#emit({ type: 'key_unhealthy', error: errorName(err), upstreamKey: key, ...(label ? { label } : {}), retried });
      if (retried) this.#requeue(flight);
      else this.#settle(flight, 'failed', err);
      return;
    }
    if (kind !== 'transient' && kind !== 'too_many') {
      this.#settle(flight, 'failed', err);
      return;
    }
    flight.attempts++;
    if (flight.attempts >= this.#retry.maxAttempts) {
      this.#settle(flight, 'failed', err);
      return;
    }
    if (kind === 'too_many') {
      // A burst limit upstream: every call on the key waits, so the pause lives in the governor.
      const delayMs = retryAfterMs(err) ?? this.#retry.tooManyDelayMs;
      this.#pause(key, now + delayMs, errorName(err));
      this.#emit({ type: 'retry', key: flight.key, attempt: flight.attempts, delayMs, error: errorName(err) });
      this.#requeue(flight);
      return;
    }
    const delayMs = retryAfterMs(err) ?? backoffDelay(flight.attempts, this.#retry, this.#random);
    this.#emit({ type: 'retry', key: flight.key, attempt: flight.attempts, delayMs, error: errorName(err) });
    flight.state = 'backoff';
    this.#backoff.add(flight);
    try {
      await this.#clock.sleep(delayMs, flight.controller.signal);
    } catch {
      this.#backoff.delete(flight);
      this.#settle(flight, 'cancelled', flight.controller.signal.reason);
      return;
    }
    this.#backoff.delete(flight);
    this.#requeue(flight);
  }

  #requeue(flight: Flight): void {
    if (this.#closed) {
      this.#settle(flight, 'cancelled', new SchedulerClosedError());
      return;
    }
    this.#enqueue(flight);
  }

  #pause(key: string, until: number, reason: string): void {
    this.#governor.pause(key, until);
    this.#emit({ type: 'pause', until, reason, ...(this.#pool ? { upstreamKey: key } : {}) });
  }

  #settle(flight: Flight, outcome: 'completed' | 'failed' | 'cancelled', value: unknown): void {
    if (flight.state === 'done') return;
    flight.state = 'done';
    if (flight.key !== undefined && this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
    this.#stats[outcome]++;
    if (outcome === 'failed') this.#emit({ type: 'failed', key: flight.key, error: errorName(value) });
    for (const w of flight.waiters) {
      w.cleanup();
      if (outcome === 'completed') w.resolve(value);
      else w.reject(value);
    }
    flight.waiters.clear();
  }

  #emit(e: SchedulerEvent): void {
    try {
      this.#onEvent?.(e);
    } catch {
      // a broken listener must not break scheduling
    }
  }
}
