import { type Clock, systemClock } from '../clock/index.js';
import type { CacheLimits, CacheRepository, PruneResult } from '../store/index.js';

/** Without a clock the start-up rotation runs this long after start (with one, at once). */
const FIRST_RUN_MS = 5000;

/** Every this many writes the file size is checked against the limit (two stat calls). */
const SIZE_CHECK_WRITES = 32;

/** Seed defaults: 100 MB, 30 days, 10,000 entries per provider and kind. */
export const DEFAULT_CACHE_LIMITS: CacheLimits = Object.freeze({
  maxBytes: 100 * 1024 * 1024,
  maxAgeMs: 30 * 24 * 3600_000,
  maxPerKind: 10_000,
});

export interface CacheRotatorOptions {
  repository: CacheRepository;
  limits?: Partial<CacheLimits>;
  /** Default one hour. */
  intervalMs?: number;
  /**
   * With a clock, rotation waits on `clock.sleep` (fake or scaled time; call `stop()` to let the process
   * exit). Without one, an unref'd timer is used, which never keeps the process alive.
   */
  clock?: Clock;
  /** Rows deleted per transaction (default 500). */
  chunkSize?: number;
  onRotate?: (result: PruneResult) => void;
  onError?: (error: unknown) => void;
}

/**
 * Keeps the SQLite cache within its limits: every interval it removes entries past the age limit, the
 * oldest beyond the per-kind count and the oldest until the file fits its size, then reclaims the space.
 * Work is chunked and yields between chunks, so lookups are never blocked for long.
 */
export class CacheRotator {
  readonly limits: CacheLimits;
  readonly intervalMs: number;
  readonly #repo: CacheRepository;
  readonly #clock: Clock | undefined;
  readonly #chunkSize: number;
  readonly #onRotate: ((result: PruneResult) => void) | undefined;
  readonly #onError: ((error: unknown) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #running: Promise<PruneResult> | undefined;
  #last: PruneResult | undefined;
  #runs = 0;
  #nextSizeCheck = 0;
  #writes = 0;

  constructor(options: CacheRotatorOptions) {
    this.#repo = options.repository;
    this.limits = { ...DEFAULT_CACHE_LIMITS, ...options.limits };
    this.intervalMs = options.intervalMs ?? 3600_000;
    if (!(this.intervalMs > 0)) throw new RangeError('intervalMs must be positive');
    this.#clock = options.clock && options.clock !== systemClock ? options.clock : undefined;
    this.#chunkSize = options.chunkSize ?? 500;
    this.#onRotate = options.onRotate;
    this.#onError = options.onError;
  }

  /** The last rotation's result, if one ran. */
  get lastResult(): PruneResult | undefined {
    return this.#last;
  }

  /** Completed rotations. */
  get runs(): number {
    return this.#runs;
  }

  get started(): boolean {
    return this.#timer !== undefined || this.#loop !== undefined;
  }

  /**
   * Starts the checks (idempotent): one rotation soon after start (a cache that grew past its limits
   * while the gateway was down is not left to wait an hour), then every interval,
   * and whenever writes take the file past its size limit (checked every 32 writes).
   */
  start(): void {
    if (this.started) return;
    this.#repo.writeListener = () => this.#afterWrite();
    const clock = this.#clock;
    if (!clock) {
      this.#timer = setInterval(() => void this.#runQuietly(), this.intervalMs);
      this.#timer.unref();
      // a few seconds in, so a short-lived `vtg` command never pays for a rotation (a server does)
      setTimeout(() => {
        if (this.#timer) void this.#runQuietly();
      }, FIRST_RUN_MS).unref();
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    this.#loop = (async () => {
      await this.#runQuietly();
      while (!abort.signal.aborted) {
        try {
          await clock.sleep(this.intervalMs, abort.signal);
        } catch {
          return;
        }
        await this.#runQuietly();
      }
    })();
  }

  #afterWrite(): void {
    if (++this.#writes % SIZE_CHECK_WRITES !== 0 || this.#running !== undefined) return;
    const now = performance.now();
    if (now < this.#nextSizeCheck) return;
    void this.#rotateIfOverSize();
  }

  async #rotateIfOverSize(): Promise<void> {
    try {
      if ((await this.#repo.sizeBytes()) <= this.limits.maxBytes) return;
    } catch {
      return;
    }
    await this.#runQuietly();
    // a rotation that could not get under the limit is not retried on every write
    if (this.#last?.overSizeLimit) this.#nextSizeCheck = performance.now() + 60_000;
  }

  /** Stops the checks and waits for a rotation in progress to finish. */
  async stop(): Promise<void> {
    if (this.#repo.writeListener) this.#repo.writeListener = undefined;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
    await this.#loop;
    this.#loop = undefined;
    this.#abort = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One rotation now. Concurrent calls share the rotation in progress. */
  runOnce(): Promise<PruneResult> {
    if (!this.#running) {
      const options = this.#clock ? { chunkSize: this.#chunkSize, now: this.#clock.now() } : { chunkSize: this.#chunkSize };
      this.#running = this.#repo
        .prune(this.limits, options)
        .then((result) => {
          this.#last = result;
          this.#runs++;
          this.#onRotate?.(result);
          return result;
        })
        .finally(() => {
          this.#running = undefined;
        });
    }
    return this.#running;
  }

  async #runQuietly(): Promise<void> {
    try {
      await this.runOnce();
    } catch (error) {
      this.#onError?.(error);
    }
  }
}
