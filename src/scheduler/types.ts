import type { Clock } from '../clock/index.js';
import type { Governor, KeyPool } from '../governor/index.js';
import type { CallKind, Permit } from '../providers/types.js';

export type Priority = 'interactive' | 'batch' | 'background';
export const PRIORITIES: readonly Priority[] = ['interactive', 'batch', 'background'];

export interface RetryPolicy {
  /** attempts per task, first call included (429 QuotaExceededError requeues do not count) */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** back-off after a 429 TooManyRequestsError without Retry-After */
  tooManyDelayMs: number;
}

export type SchedulerEvent =
  | { type: 'join'; key: string }
  | { type: 'retry'; key?: string; attempt: number; delayMs: number; error: string }
  | { type: 'requeue'; key?: string; priority: Priority; error: string }
  | { type: 'pause'; until: number; reason: string; upstreamKey?: string }
  /** the upstream refused a key (401): it leaves rotation; `retried` when another key of the pool takes the call */
  | { type: 'key_unhealthy'; error: string; upstreamKey?: string; label?: string; retried?: boolean }
  | { type: 'failed'; key?: string; error: string };

export interface SchedulerOptions {
  governor: Governor;
  /** governor key label (a pool's own name when `pool` is given) */
  key: string;
  /** Several keys: each call goes to the member the pool picks; a refused member leaves rotation and the call moves on. */
  pool?: KeyPool;
  clock?: Clock;
  /** max tasks running at once, default 4 */
  concurrency?: number;
  /** default 0.2: batch and background may not spend the last 20% of the day/month windows */
  interactiveReserve?: number;
  retry?: Partial<RetryPolicy>;
  /** default 100000; beyond it run() rejects with QueueFullError */
  maxQueue?: number;
  /** for jitter, injectable */
  random?: () => number;
  /** retries, pauses, joins for metrics/logs */
  onEvent?: (e: SchedulerEvent) => void;
}

export interface TaskOptions {
  priority?: Priority;
  /** fair round-robin between tenants inside a class */
  tenant?: string;
  signal?: AbortSignal;
  /** single-flight key, e.g. 'virustotal:file:<sha256>': concurrent submits with the same key share one execution and its result */
  key?: string;
  /** what the task's first upstream call is for (governor ledger); default 'lookup' */
  kind?: CallKind;
}

export interface TaskContext {
  /** await before each upstream call; the first call's grant was already taken when the task started */
  permit: Permit;
  signal: AbortSignal;
  /** 1 for the first call of the task function, 2 for the first retry, ... */
  attempt: number;
}

export type Task<T> = (ctx: TaskContext) => Promise<T>;

export interface SchedulerStats {
  /** run() calls */
  submitted: number;
  /** run() calls that joined an execution already in flight */
  joined: number;
  /** executions whose task function was called at least once */
  started: number;
  /** task function calls after the first (transient failures) plus 429 requeues */
  retried: number;
  completed: number;
  failed: number;
  cancelled: number;
}
