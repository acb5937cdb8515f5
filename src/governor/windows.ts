import type { CalendarWindow } from './types.js';

export const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export const CALENDAR_WINDOWS: readonly CalendarWindow[] = ['hour', 'day', 'month'];

/** The last month asked for, [from, to): an ETA simulation asks thousands of times for the same one. */
let monthFrom = 0;
let monthTo = -1;

function month(t: number): void {
  if (t >= monthFrom && t < monthTo) return;
  const d = new Date(t);
  monthFrom = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  monthTo = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Start (epoch ms) of the UTC calendar window holding `t`. */
export function windowStart(window: CalendarWindow, t: number): number {
  if (window === 'hour') return Math.floor(t / HOUR_MS) * HOUR_MS;
  if (window === 'day') return Math.floor(t / DAY_MS) * DAY_MS;
  month(t);
  return monthFrom;
}

/** End (exclusive, epoch ms) of the UTC calendar window holding `t`: when its counter resets. */
export function windowEnd(window: CalendarWindow, t: number): number {
  if (window === 'hour') return windowStart('hour', t) + HOUR_MS;
  if (window === 'day') return windowStart('day', t) + DAY_MS;
  month(t);
  return monthTo;
}
