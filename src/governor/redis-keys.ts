/** Names of the Redis keys the governor keeps per upstream key. */
import type { CalendarWindow } from './types.js';
import { windowStart } from './windows.js';

export class RedisKeyNames {
  constructor(readonly prefix: string) {}

  /** changes when Redis lost its data (a restart without persistence) */
  get epoch(): string {
    return this.prefix + 'epoch';
  }

  k(key: string, part: string): string {
    return `${this.prefix}${key}:${part}`;
  }

  /** The counter of window `w` holding `at`. */
  window(key: string, w: CalendarWindow, at: number): string {
    return this.k(key, `${w}:${windowStart(w, at)}`);
  }

  /** The Redis keys the acquire and push scripts touch for `key`, in the order they expect. */
  script(key: string, now: number): string[] {
    return [
      this.epoch,
      this.k(key, 'min'),
      this.window(key, 'hour', now),
      this.window(key, 'day', now),
      this.window(key, 'month', now),
      this.k(key, 'bucket'),
      this.k(key, 'pause'),
      this.k(key, 'health'),
      this.k(key, 'ledger'),
    ];
  }
}
