/** Retry schedule: 1 min, doubling, capped at 1 h, for up to 24 h after the event. */
export interface RetrySchedule {
  baseDelayMs: number;
  maxDelayMs: number;
  /** A delivery whose next attempt would fall later than this after its creation is dead-lettered. */
  maxAgeMs: number;
}

export const DEFAULT_SCHEDULE: RetrySchedule = { baseDelayMs: 60_000, maxDelayMs: 3_600_000, maxAgeMs: 86_400_000 };

/** Delay before the attempt that follows `attemptsMade` failed attempts (1 -> base, 2 -> 2 x base, ...). */
export function retryDelayMs(attemptsMade: number, schedule: RetrySchedule): number {
  const exponent = Math.min(Math.max(0, attemptsMade - 1), 30);
  return Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** exponent);
}

/** When to try again after a failed attempt, or null when the delivery should be dead-lettered. */
export function nextAttemptAt(createdAt: number, now: number, attemptsMade: number, schedule: RetrySchedule): number | null {
  const at = now + retryDelayMs(attemptsMade, schedule);
  return at - createdAt > schedule.maxAgeMs ? null : at;
}
