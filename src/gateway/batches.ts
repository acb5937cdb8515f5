/**
 * Durable batch jobs: every item's answer is committed as it finishes, so a job interrupted by
 * Ctrl-C, SIGTERM or even SIGKILL resumes where it was and never fetches an indicator twice.
 */
import { setMaxListeners } from 'node:events';
import { errorInfo, runPool } from '../common/index.js';
import { answerPermalink, type PermalinkSource, parseIndicator } from '../indicators/index.js';
import type { Priority } from '../scheduler/index.js';
import type { BatchItem, BatchJob, BatchRepository, NewBatchItem } from '../store/index.js';
import { NotCachedError } from './errors.js';
import type { GatewayEventBus } from './events.js';
import type { LookupService } from './lookups.js';
import type { BatchCreateOptions, BatchView, LookupResult } from './types.js';

/** Cluster mode: a batch runs where its lease is held (`local`: also while Redis is away, for batches started here). */
export interface BatchClaims {
  lease(name: string, options: { local?: boolean }): Promise<{ signal: AbortSignal; release(): Promise<void> } | undefined>;
}

const PRIORITY_NUMBER: Record<Priority, number> = { interactive: 2, batch: 1, background: 0 };
const NUMBER_PRIORITY: Record<number, Priority> = { 2: 'interactive', 1: 'batch', 0: 'background' };
const WINDOW = 64;

interface BatchOptions {
  priority: Priority;
  provider: BatchCreateOptions['provider'];
}

/** Input lines worth looking up: trimmed, no blanks, no `#` comments. */
export function batchLines(inputs: readonly string[]): string[] {
  return inputs.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** What a batch keeps per item: the answer without the bulky raw upstream object (that stays in the cache). */
export function compactResult(result: LookupResult): LookupResult {
  return { ...result, report: { ...result.report, data: undefined } };
}

function isAnswer(result: unknown): result is PermalinkSource {
  const r = result as Partial<PermalinkSource> | null;
  return typeof r === 'object' && r !== null && typeof r.provider === 'string' && typeof r.indicator?.kind === 'string' && typeof r.indicator.id === 'string';
}

async function* withPermalinks(items: AsyncIterable<BatchItem>): AsyncIterable<BatchItem> {
  for await (const item of items) {
    yield isAnswer(item.result) ? { ...item, result: { ...item.result, permalink: answerPermalink(item.result) } } : item;
  }
}

interface Running {
  controller: AbortController;
  done: Promise<BatchJob>;
  startedAt: number;
  doneAtStart: number;
}

export class BatchRunner {
  readonly #running = new Map<string, Running>();

  constructor(
    private readonly lookups: LookupService,
    private readonly repo: BatchRepository,
    private readonly events: GatewayEventBus,
    private readonly claims?: BatchClaims,
  ) {}

  async create(inputs: readonly string[], options: BatchCreateOptions = {}): Promise<BatchJob> {
    const priority = options.priority ?? 'batch';
    const items: NewBatchItem[] = batchLines(inputs).map((input) => {
      try {
        const ind = parseIndicator(input);
        return { input, kind: ind.kind, id: ind.id };
      } catch (err) {
        return { input, status: 'error', error: { code: 'InvalidIndicator', message: (err as Error).message } };
      }
    });
    const job = await this.repo.create(
      {
        priority: PRIORITY_NUMBER[priority],
        owner: options.owner ?? null,
        budget: options.budget ?? null,
        webhook: options.webhook ?? null,
        options: { priority, provider: options.provider ?? 'virustotal' } satisfies BatchOptions,
      },
      items,
    );
    this.#start(job.id);
    return (await this.repo.get(job.id)) ?? job;
  }

  /** Runs (or joins) a job in the foreground; resolves with its final (or paused) state. */
  async run(id: string, options: { signal?: AbortSignal; onProgress?: (job: BatchJob) => void } = {}): Promise<BatchJob> {
    const job = await this.repo.get(id);
    if (!job) throw new BatchNotFoundError(id);
    if (job.status === 'completed' || job.status === 'cancelled') return job;
    const running = this.#start(id, options.onProgress);
    if (options.signal) {
      const onAbort = () => running.controller.abort(new Error('interrupted'));
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }
    return running.done;
  }

  async list(query: { owner?: string | null; limit?: number } = {}): Promise<BatchJob[]> {
    return await this.repo.list(query);
  }

  /** Item rows in order; an answered item's result carries its `permalink` (rows stored before it existed too). */
  results(id: string, options: { afterSeq?: number; finishedOnly?: boolean } = {}): AsyncIterable<BatchItem> {
    return withPermalinks(this.repo.results(id, options));
  }

  /** Starts every queued or running job not running here (in a cluster: those whose lease is free). */
  async resumeAll(): Promise<void> {
    for (const job of await this.repo.unfinished()) {
      if ((job.status === 'queued' || job.status === 'running') && !this.#running.has(job.id)) this.#start(job.id, undefined, true);
    }
  }

  async cancel(id: string): Promise<boolean> {
    const ok = await this.repo.setStatus(id, 'cancelled', { from: ['queued', 'running', 'paused'] });
    this.#running.get(id)?.controller.abort(new Error('cancelled'));
    return ok;
  }

  job(id: string): Promise<BatchJob | undefined> {
    return this.repo.get(id);
  }

  /**
   * The job and its ETA: the governor's time for the upstream calls still to make, at the job's
   * priority (so it honours every window and the interactive reserve), not the pace so far, which
   * cache hits at the start make look fast. The calls still to make are the items left times the
   * share that needed a call so far (all of them before the first finishes), within the budget.
   */
  async view(id: string): Promise<BatchView | undefined> {
    const job = await this.repo.get(id);
    if (!job) return undefined;
    const finished = job.done + job.failed;
    const left = job.total - finished;
    if (job.status === 'completed' || job.status === 'cancelled' || left <= 0) return { job, etaMs: 0 };
    const opts = (job.options ?? {}) as Partial<BatchOptions>;
    const share = finished > 0 ? Math.min(1, job.upstreamCalls / finished) : 1;
    const budgetLeft = job.budget === null ? Number.POSITIVE_INFINITY : Math.max(0, job.budget - job.upstreamCalls);
    const calls = Math.min(budgetLeft, Math.ceil(left * share));
    const etaMs = await this.lookups.eta(opts.provider ?? 'virustotal', calls, opts.priority ?? 'batch');
    return { job, etaMs: Number.isFinite(etaMs) ? etaMs : null };
  }

  /** Stops running loops without changing their stored status, so they resume after a restart. */
  async stop(): Promise<void> {
    const all = [...this.#running.values()];
    for (const r of all) r.controller.abort(new Error('shutting down'));
    await Promise.allSettled(all.map((r) => r.done));
  }

  #start(id: string, onProgress?: (job: BatchJob) => void, takeover = false): Running {
    const existing = this.#running.get(id);
    if (existing) return existing;
    const controller = new AbortController();
    setMaxListeners(WINDOW * 4, controller.signal); // one listener per concurrent lookup
    const running: Running = {
      controller,
      startedAt: this.lookups.clock.now(),
      doneAtStart: 0,
      done: Promise.resolve() as unknown as Promise<BatchJob>,
    };
    running.done = this.#claimed(id, running, takeover, onProgress).finally(() => this.#running.delete(id));
    running.done.catch(() => undefined);
    this.#running.set(id, running);
    return running;
  }

  /** Runs the job under its lease (cluster mode); another instance holding it means nothing to do here. */
  async #claimed(id: string, running: Running, takeover: boolean, onProgress?: (job: BatchJob) => void): Promise<BatchJob> {
    const controller = running.controller;
    if (!this.claims) return this.#loop(id, controller.signal, running, onProgress);
    const lease = await this.claims.lease(`batch:${id}`, { local: !takeover });
    if (!lease) return (await this.repo.get(id)) as BatchJob;
    const onLost = () => controller.abort(lease.signal.reason);
    lease.signal.addEventListener('abort', onLost, { once: true });
    try {
      return await this.#loop(id, controller.signal, running, onProgress);
    } finally {
      lease.signal.removeEventListener('abort', onLost);
      await lease.release();
    }
  }

  async #loop(id: string, signal: AbortSignal, running: Running, onProgress?: (job: BatchJob) => void): Promise<BatchJob> {
    await this.repo.setStatus(id, 'running', { from: ['queued', 'paused', 'running'] });
    const first = (await this.repo.get(id)) as BatchJob;
    running.doneAtStart = first.done + first.failed;
    const opts = (first.options ?? {}) as Partial<BatchOptions>;
    const priority = opts.priority ?? NUMBER_PRIORITY[first.priority] ?? 'batch';
    let reserved = 0;
    for (;;) {
      if (signal.aborted) break;
      const pending = await this.repo.pendingItems(id, WINDOW * 4);
      if (pending.length === 0) break;
      let cancelled = false;
      await runPool(
        pending.length,
        WINDOW,
        async (i) => {
          const item = pending[i] as BatchItem;
          const job = (await this.repo.get(id)) as BatchJob;
          if (job.status === 'cancelled') {
            cancelled = true;
            return;
          }
          // Budget: a cached answer is free, so only items that will go upstream reserve a call.
          const free = job.budget === null || (await this.#cachedFresh(item, opts.provider));
          const overBudget = !free && job.upstreamCalls + reserved >= (job.budget as number);
          const reserving = !free && !overBudget;
          if (reserving) reserved++;
          await this.#one(id, item, priority, opts.provider, overBudget, signal);
          if (reserving) reserved--;
          onProgress?.((await this.repo.get(id)) as BatchJob);
        },
        () => signal.aborted || cancelled,
      );
      if (((await this.repo.get(id)) as BatchJob).status === 'cancelled') break;
    }
    const job = (await this.repo.get(id)) as BatchJob;
    if (job.status === 'running' && !signal.aborted && (await this.repo.pendingItems(id, 1)).length === 0) {
      await this.repo.setStatus(id, 'completed', { from: ['running'] });
      const done = (await this.repo.get(id)) as BatchJob;
      this.events.emit('batch.completed', {
        batchId: id,
        status: done.status,
        total: done.total,
        done: done.done,
        failed: done.failed,
        owner: done.owner,
        at: this.lookups.clock.now(),
      });
      return done;
    }
    if (signal.aborted && String((signal.reason as Error)?.message) === 'interrupted') {
      await this.repo.setStatus(id, 'paused', { from: ['running'] });
    }
    return (await this.repo.get(id)) as BatchJob;
  }

  async #cachedFresh(item: BatchItem, provider: BatchCreateOptions['provider']): Promise<boolean> {
    if (!item.kind || !item.id) return true;
    return this.lookups.isFresh(provider ?? 'virustotal', item.kind, item.id);
  }

  async #one(
    id: string,
    item: BatchItem,
    priority: Priority,
    provider: BatchCreateOptions['provider'],
    cacheOnly: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    let calls = 0;
    try {
      const result = await this.lookups.lookup(item.input, {
        priority,
        provider,
        signal,
        cacheOnly,
        onUpstreamCall: () => {
          calls++;
        },
      });
      await this.repo.completeItem(id, item.seq, { result: compactResult(result), source: result.source, upstreamCalls: calls });
    } catch (err) {
      if (signal.aborted) return; // stays pending: resumed later, nothing spent twice
      if (err instanceof NotCachedError) {
        await this.repo.completeItem(id, item.seq, {
          result: { skipped: 'budget', message: 'the batch budget of upstream calls is spent and this indicator is not cached' },
          source: 'cache',
          skipped: true,
        });
        return;
      }
      await this.repo.failItem(id, item.seq, {
        error: errorInfo(err),
        upstreamCalls: calls,
      });
    }
  }
}

export class BatchNotFoundError extends Error {
  override name = 'BatchNotFoundError';
  readonly code = 'BatchNotFound';
  constructor(id: string) {
    super(`no batch with id ${id}`);
  }
}
