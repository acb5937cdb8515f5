/** Priority queue per upstream key with single-flight, retries and dry-run cost estimates. */
export type {
  Priority,
  RetryPolicy,
  SchedulerEvent,
  SchedulerOptions,
  SchedulerStats,
  Task,
  TaskContext,
  TaskOptions,
} from './types.js';
export { PRIORITIES } from './types.js';
export { Scheduler } from './scheduler.js';
export { QueueFullError, SchedulerClosedError } from './errors.js';
export { DEFAULT_RETRY, backoffDelay, classifyError, isRetryable, neverSent, retryAfterMs, type ErrorClass } from './retry.js';
export { estimateCost, type CostEstimate, type CostInput } from './estimate.js';
