/**
 * Request time limits and client disconnects as an AbortSignal, made only when a handler asks for
 * one (creating an AbortSignal costs more in Node 20 than a whole cache hit), with no timer per
 * request: one coarse sweep (unref'd) aborts the requests whose deadline has passed.
 */
import { RequestAbortedError } from '../errors.js';

export class RequestSignal {
  readonly #deadlines: Deadlines;
  readonly #deadline: number;
  #controller: AbortController | undefined;
  #reason: unknown;
  #finished = false;

  constructor(deadlines: Deadlines, deadline: number) {
    this.#deadlines = deadlines;
    this.#deadline = deadline;
  }

  /** The request's signal (created on first use). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
      else if (!this.#finished && Number.isFinite(this.#deadline)) this.#deadlines.add(this);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#reason !== undefined;
  }

  get deadline(): number {
    return this.#deadline;
  }

  abort(reason: unknown): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }

  /** The request is over: stop watching its deadline. */
  done(): void {
    this.#finished = true;
    this.#deadlines.remove(this);
  }
}

export class Deadlines {
  readonly #live = new Set<RequestSignal>();
  readonly #timer: NodeJS.Timeout;

  constructor(sweepMs = 1000) {
    this.#timer = setInterval(() => this.#sweep(), sweepMs);
    this.#timer.unref();
  }

  /** A request's signal that aborts `ms` from now (never, for Infinity) or when `abort` is called. */
  track(ms: number): RequestSignal {
    return new RequestSignal(this, performance.now() + ms);
  }

  add(request: RequestSignal): void {
    this.#live.add(request);
  }

  remove(request: RequestSignal): void {
    this.#live.delete(request);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#live.clear();
  }

  #sweep(): void {
    const now = performance.now();
    for (const request of this.#live) {
      if (request.deadline > now) continue;
      this.#live.delete(request);
      request.abort(new RequestAbortedError(true));
    }
  }
}
