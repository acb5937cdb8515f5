import type { IndicatorKind } from '../../indicators/index.js';

export type BatchStatus = 'queued' | 'running' | 'paused' | 'completed' | 'cancelled' | 'failed';
export type BatchItemStatus = 'pending' | 'done' | 'error' | 'skipped';
/** Where a finished item's answer came from. */
export type BatchItemSource = 'cache' | 'upstream' | 'stale';

export interface StoredError {
  code: string;
  message: string;
}

export interface BatchJob {
  id: string;
  createdAt: number;
  updatedAt: number;
  status: BatchStatus;
  /** Higher runs first. */
  priority: number;
  /** Token id of the creator, or null (CLI / library). */
  owner: string | null;
  total: number;
  /** Items finished with a result (status `done` or `skipped`). */
  done: number;
  /** Items finished with an error. */
  failed: number;
  /** Max upstream calls the job may spend, or null for no cap. */
  budget: number | null;
  upstreamCalls: number;
  /** URL notified when the job ends, or null. */
  webhook: string | null;
  options: unknown;
  /** Why the job failed or was cancelled, when known. */
  error: StoredError | null;
}

export interface NewBatchJob {
  /** Default: a random UUID. */
  id?: string;
  priority?: number;
  owner?: string | null;
  budget?: number | null;
  webhook?: string | null;
  options?: unknown;
  /** Default `queued`. */
  status?: BatchStatus;
}

/** One input line. Lines that could not be parsed are created finished, with `error` (or `skipped`). */
export interface NewBatchItem {
  input: string;
  kind?: IndicatorKind | null;
  id?: string | null;
  /** Default `pending`. */
  status?: 'pending' | 'error' | 'skipped';
  error?: StoredError | null;
}

export interface BatchItem {
  jobId: string;
  /** 0-based position of the line in the input. */
  seq: number;
  input: string;
  kind: IndicatorKind | null;
  id: string | null;
  status: BatchItemStatus;
  source: BatchItemSource | null;
  /** The stored result (a LookupResult), or null. */
  result: unknown;
  error: StoredError | null;
  finishedAt: number | null;
}

export interface BatchListQuery {
  owner?: string | null;
  status?: BatchStatus;
  limit?: number;
}

export interface CompleteItem {
  result: unknown;
  source: BatchItemSource;
  /** Upstream calls this item cost (added to the job's `upstreamCalls`). */
  upstreamCalls?: number;
  /** Mark as `skipped` instead of `done` (e.g. a duplicate line answered by an earlier one). */
  skipped?: boolean;
}

export interface FailItem {
  error: StoredError;
  upstreamCalls?: number;
}
