/**
 * A FakeClock that knows when its next sleeper is due, and a driver that moves fake time only
 * while no real I/O is in flight. Upstream calls then reach the simulator at the very fake time
 * they were granted, so its quota windows see exactly what the governor granted.
 */
import { type Clock, FakeClock } from '../../clock/index.js';

export class SteppingClock implements Clock {
  readonly fake: FakeClock;
  readonly #deadlines = new Map<number, number>();
  #id = 0;

  constructor(start?: number) {
    this.fake = new FakeClock(start);
  }

  now(): number {
    return this.fake.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const id = this.#id++;
    this.#deadlines.set(id, this.fake.now() + Math.max(0, ms));
    return this.fake.sleep(ms, signal).finally(() => this.#deadlines.delete(id));
  }

  /** When the earliest sleeper is due, if any. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const at of this.#deadlines.values()) if (next === undefined || at < next) next = at;
    return next;
  }
}

const realPause = () => new Promise<void>((r) => setTimeout(r, 1));

export interface DriveOptions {
  /** true while real I/O (an upstream call) is in flight: time must not move then */
  busy: () => boolean;
  /** called at each quiet point before time moves (tests change faults here) */
  onIdle?: () => void | Promise<void>;
  /** real-time bound, default 30 s */
  realTimeoutMs?: number;
  /** fake-time bound */
  untilTime?: number;
}

/** Moves fake time from sleeper to sleeper until `done()` (bounded in real and fake time). */
export async function drive(clock: SteppingClock, done: () => boolean, options: DriveOptions): Promise<void> {
  const end = Date.now() + (options.realTimeoutMs ?? 30_000);
  for (;;) {
    await realPause();
    if (done()) return;
    if (Date.now() > end) throw new Error(`drive: real-time bound reached at ${new Date(clock.now()).toISOString()}`);
    if (options.busy()) continue;
    await realPause();
    if (options.busy() || done()) continue;
    await options.onIdle?.();
    const next = clock.nextDeadline();
    if (next === undefined) continue;
    if (options.untilTime !== undefined && next > options.untilTime) {
      await clock.fake.runUntil(options.untilTime);
      return;
    }
    await clock.fake.runUntil(next);
  }
}

/** Most calls in any `span` ms window among `times`. */
export function maxInSpan(times: number[], span: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while ((t[i] as number) - (t[j] as number) >= span) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
