import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock/index.js';
import type { IndicatorKind } from '../../indicators/index.js';
import type { SqlDb } from '../db/sql.js';
import { parseJson, where } from '../db/where.js';
import type {
  BatchItem,
  BatchItemSource,
  BatchItemStatus,
  BatchJob,
  BatchListQuery,
  BatchStatus,
  CompleteItem,
  FailItem,
  NewBatchItem,
  NewBatchJob,
  StoredError,
} from './types.js';

const JOB_COLUMNS =
  'id, created_at, updated_at, status, priority, owner, total, done, failed, budget, upstream_calls, webhook, options, error';
const ITEM_COLUMNS = 'job_id, seq, input, kind, indicator_id, status, source, result, error, finished_at';

const SQL = {
  insertJob: `INSERT INTO batch_jobs (${JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, NULL)`,
  insertItem: `INSERT INTO batch_items (${ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
  getJob: `SELECT ${JOB_COLUMNS} FROM batch_jobs WHERE id = ?`,
  pending: `SELECT ${ITEM_COLUMNS} FROM batch_items WHERE job_id = ? AND status = 'pending' ORDER BY seq LIMIT ?`,
  item: `SELECT ${ITEM_COLUMNS} FROM batch_items WHERE job_id = ? AND seq = ?`,
  finishItem: `UPDATE batch_items SET status = ?, source = ?, result = ?, error = ?, finished_at = ?
    WHERE job_id = ? AND seq = ? AND status = 'pending'`,
  bumpDone: 'UPDATE batch_jobs SET done = done + 1, upstream_calls = upstream_calls + ?, updated_at = ? WHERE id = ?',
  bumpFailed: 'UPDATE batch_jobs SET failed = failed + 1, upstream_calls = upstream_calls + ?, updated_at = ? WHERE id = ?',
  addCalls: 'UPDATE batch_jobs SET upstream_calls = upstream_calls + ?, updated_at = ? WHERE id = ?',
  setStatus: 'UPDATE batch_jobs SET status = ?, error = ?, updated_at = ? WHERE id = ?',
  unfinished: `SELECT ${JOB_COLUMNS} FROM batch_jobs WHERE status IN ('queued', 'running')
    ORDER BY priority DESC, created_at, id`,
  results: `SELECT ${ITEM_COLUMNS} FROM batch_items WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
  finishedResults: `SELECT ${ITEM_COLUMNS} FROM batch_items WHERE job_id = ? AND seq > ? AND status <> 'pending'
    ORDER BY seq LIMIT ?`,
  deleteJob: 'DELETE FROM batch_jobs WHERE id = ?',
} as const;

interface JobRow {
  id: string;
  created_at: number;
  updated_at: number;
  status: BatchStatus;
  priority: number;
  owner: string | null;
  total: number;
  done: number;
  failed: number;
  budget: number | null;
  upstream_calls: number;
  webhook: string | null;
  options: string;
  error: string | null;
}

interface ItemRow {
  job_id: string;
  seq: number;
  input: string;
  kind: IndicatorKind | null;
  indicator_id: string | null;
  status: BatchItemStatus;
  source: BatchItemSource | null;
  result: string | null;
  error: string | null;
  finished_at: number | null;
}

function toJob(row: JobRow): BatchJob {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    status: row.status,
    priority: row.priority,
    owner: row.owner,
    total: row.total,
    done: row.done,
    failed: row.failed,
    budget: row.budget,
    upstreamCalls: row.upstream_calls,
    webhook: row.webhook,
    options: JSON.parse(row.options) as unknown,
    error: parseJson<StoredError>(row.error),
  };
}

function toItem(row: ItemRow): BatchItem {
  return {
    jobId: row.job_id,
    seq: row.seq,
    input: row.input,
    kind: row.kind,
    id: row.indicator_id,
    status: row.status,
    source: row.source,
    result: parseJson(row.result),
    error: parseJson<StoredError>(row.error),
    finishedAt: row.finished_at,
  };
}

/** Pages of this many rows feed `results`, so no cursor stays open across the caller's awaits. */
const RESULT_PAGE = 500;

/**
 * Durable batch jobs and their items. Every item completion updates the item and the job's counters in
 * one transaction, and only a `pending` item can complete, so a crash or a retry never loses or doubles work.
 */
export class BatchRepository {
  readonly #clock: Clock;
  readonly #db: SqlDb;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb, clock: Clock) {
    this.#clock = clock;
    this.#db = db;
  }

  /** Creates a job and all its items in one transaction. Items are numbered 0.. in input order. */
  async create(job: NewBatchJob, inputs: readonly NewBatchItem[]): Promise<BatchJob> {
    return await this.#db.transaction(async (tx) => {
      const id = job.id ?? randomUUID();
      const now = this.#clock.now();
      let done = 0;
      let failed = 0;
      for (const item of inputs) {
        if (item.status === 'skipped') done++;
        else if (item.status === 'error') failed++;
      }
      await tx.run(
        SQL.insertJob,
        id,
        now,
        now,
        job.status ?? 'queued',
        job.priority ?? 0,
        job.owner ?? null,
        inputs.length,
        done,
        failed,
        job.budget ?? null,
        job.webhook ?? null,
        JSON.stringify(job.options ?? {}),
      );
      for (const [seq, item] of inputs.entries()) {
        const status = item.status ?? 'pending';
        const error = status === 'error' ? (item.error ?? { code: 'invalid_input', message: 'invalid input' }) : null;
        await tx.run(
          SQL.insertItem,
          id,
          seq,
          item.input,
          item.kind ?? null,
          item.id ?? null,
          status,
          error ? JSON.stringify(error) : null,
          status === 'pending' ? null : now,
        );
      }
      return toJob((await tx.get(SQL.getJob, id)) as JobRow);
    });
  }

  #finish(jobId: string, seq: number, outcome: Outcome): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const now = this.#clock.now();
      const changed = await tx.run(
        SQL.finishItem,
        outcome.status,
        outcome.source,
        outcome.result === undefined ? null : JSON.stringify(outcome.result),
        outcome.error ? JSON.stringify(outcome.error) : null,
        now,
        jobId,
        seq,
      );
      if (changed === 0) return false;
      await tx.run(outcome.status === 'error' ? SQL.bumpFailed : SQL.bumpDone, outcome.upstreamCalls, now, jobId);
      return true;
    });
  }

  async get(id: string): Promise<BatchJob | undefined> {
    const row = (await this.#db.get(SQL.getJob, id)) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  /** Jobs, newest first; `owner: null` selects jobs with no owner, `undefined` all owners. */
  async list(query: BatchListQuery = {}): Promise<BatchJob[]> {
    const w = where([
      query.owner === null && ['owner IS NULL'],
      typeof query.owner === 'string' && ['owner = ?', query.owner],
      query.status !== undefined && ['status = ?', query.status],
    ]);
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? 100) || 1, 1), 10_000);
    const sql = `SELECT ${JOB_COLUMNS} FROM batch_jobs${w.sql} ORDER BY created_at DESC, id LIMIT ?`;
    return ((await this.#db.all(sql, ...w.params, limit)) as JobRow[]).map(toJob);
  }

  /** The next `limit` items still to do, in input order. */
  async pendingItems(jobId: string, limit: number): Promise<BatchItem[]> {
    return ((await this.#db.all(SQL.pending, jobId, Math.max(1, Math.trunc(limit)))) as ItemRow[]).map(toItem);
  }

  async item(jobId: string, seq: number): Promise<BatchItem | undefined> {
    const row = (await this.#db.get(SQL.item, jobId, seq)) as ItemRow | undefined;
    return row ? toItem(row) : undefined;
  }

  /**
   * Stores an item's result and bumps the job's `done` and `upstreamCalls` in one transaction.
   * Idempotent: returns false (and changes nothing) when the item is not pending any more.
   */
  async completeItem(jobId: string, seq: number, completion: CompleteItem): Promise<boolean> {
    return this.#finish(jobId, seq, {
      status: completion.skipped ? 'skipped' : 'done',
      source: completion.source,
      result: completion.result,
      error: null,
      upstreamCalls: completion.upstreamCalls ?? 0,
    });
  }

  /** Records an item's error and bumps the job's `failed` in one transaction. Idempotent like `completeItem`. */
  async failItem(jobId: string, seq: number, failure: FailItem): Promise<boolean> {
    return this.#finish(jobId, seq, {
      status: 'error',
      source: null,
      result: undefined,
      error: failure.error,
      upstreamCalls: failure.upstreamCalls ?? 0,
    });
  }

  /** Charges upstream calls not tied to one item (e.g. analysis polls). */
  async addUpstreamCalls(jobId: string, n: number): Promise<void> {
    if (n) (await this.#db.run(SQL.addCalls, n, this.#clock.now(), jobId));
  }

  /**
   * Sets a job's status (and its error, cleared when not given). With `from`, only when the current
   * status is one of those (compare-and-set, e.g. pause only a running job). Returns whether it changed.
   */
  async setStatus(id: string, status: BatchStatus, options: { error?: StoredError | null; from?: readonly BatchStatus[] } = {}): Promise<boolean> {
    const error = options.error ? JSON.stringify(options.error) : null;
    const now = this.#clock.now();
    if (!options.from) return (await this.#db.run(SQL.setStatus, status, error, now, id)) > 0;
    if (options.from.length === 0) return false;
    const marks = options.from.map(() => '?').join(', ');
    const sql = `${SQL.setStatus} AND status IN (${marks})`;
    return (await this.#db.run(sql, status, error, now, id, ...options.from)) > 0;
  }

  /** Jobs to pick up after a restart (`queued` or `running`), highest priority first, then oldest. Paused jobs wait for a resume. */
  async unfinished(): Promise<BatchJob[]> {
    return ((await this.#db.all(SQL.unfinished)) as JobRow[]).map(toJob);
  }

  /**
   * The job's items in input order after `afterSeq` (default: from the start), read page by page so
   * the caller may await between items (NDJSON streaming). `finishedOnly` skips pending items.
   */
  async *results(jobId: string, options: { afterSeq?: number; finishedOnly?: boolean } = {}): AsyncGenerator<BatchItem> {
    const sql = options.finishedOnly ? SQL.finishedResults : SQL.results;
    let after = options.afterSeq ?? -1;
    for (;;) {
      const rows = await this.#db.all<ItemRow>(sql, jobId, after, RESULT_PAGE);
      for (const row of rows) yield toItem(row);
      const last = rows[rows.length - 1];
      if (!last || rows.length < RESULT_PAGE) return;
      after = last.seq;
    }
  }

  /** Removes a job and its items. */
  async delete(id: string): Promise<boolean> {
    return (await this.#db.run(SQL.deleteJob, id)) > 0;
  }
}

interface Outcome {
  status: 'done' | 'skipped' | 'error';
  source: BatchItemSource | null;
  result: unknown;
  error: StoredError | null;
  upstreamCalls: number;
}
