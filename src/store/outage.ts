/**
 * PostgreSQL down (the store of record of a cluster): lookups keep answering from Redis and memory,
 * and the writes a lookup makes (cache entries, observations, usage counters) wait in memory, in
 * order, up to `limit`; past it they fail with `StoreUnavailableError` (HTTP 503). The pool
 * reconnects by itself; a timer retries the queue every second until it is empty. The reads every
 * request makes (is there a token at all, this token's record, the watchlists of an indicator) answer
 * what they last answered; other reads and writes fail with `StoreUnavailableError` (never a 500).
 */
import { createHash } from 'node:crypto';

/** The store's database cannot be reached (and, for a write, the in-memory queue is full). */
export class StoreUnavailableError extends Error {
  readonly code = 'StoreUnavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03']);
const CONNECTION_TEXT = /Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed|not queryable/i;

/** Whether `error` says the server is unreachable (rather than that a statement was wrong). */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  const message = (error as { message?: unknown })?.message;
  return typeof message === 'string' && CONNECTION_TEXT.test(message);
}

export interface DatabaseState {
  engine: 'postgres';
  state: 'up' | 'down';
  /** Writes waiting in memory for the server to come back. */
  queued: number;
  queueLimit: number;
  /** Epoch ms the server was last found unreachable (null: never). */
  downSince: number | null;
}

type Write = () => Promise<unknown>;

export class WriteQueue {
  readonly limit: number;
  readonly #queue: Write[] = [];
  #down = false;
  #downSince: number | null = null;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(limit: number) {
    this.limit = limit;
  }

  state(): DatabaseState {
    return { engine: 'postgres', state: this.#down ? 'down' : 'up', queued: this.#queue.length, queueLimit: this.limit, downSince: this.#down ? this.#downSince : null };
  }

  /** A read: its answer, or `StoreUnavailableError` while the server is unreachable (`fallback` instead when given). */
  async read<T>(run: () => Promise<T>, fallback?: () => T): Promise<T> {
    try {
      const result = await run();
      this.#up();
      return result;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.#markDown();
      if (fallback) return fallback();
      throw new StoreUnavailableError('the database is unreachable; try again shortly', { cause: error });
    }
  }

  /** A write: done now, or queued (answering `queuedAnswer`) while the server is unreachable or earlier writes wait. */
  async write<T>(run: () => Promise<T>, queuedAnswer: T): Promise<T> {
    if (this.#queue.length === 0 && !this.#down) {
      try {
        return await run();
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        this.#markDown();
      }
    }
    if (this.#queue.length >= this.limit) {
      throw new StoreUnavailableError(`the database is unreachable and ${this.limit} writes already wait for it; try again when it is back`);
    }
    this.#queue.push(run);
    this.#schedule();
    return queuedAnswer;
  }

  /** Tries the queued writes now, in order; stops at the first that still cannot reach the server. */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops retrying (after one last attempt by the caller's `flush`). */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as Write;
      try {
        await next();
      } catch (error) {
        if (isConnectionError(error)) {
          this.#markDown();
          this.#schedule();
          return;
        }
        // a statement the server refuses for good (not an outage): retrying would block the queue for ever
      }
      this.#queue.shift();
    }
    this.#up();
  }

  #markDown(): void {
    if (!this.#down) this.#downSince = Date.now();
    this.#down = true;
    this.#schedule();
  }

  #up(): void {
    if (this.#queue.length > 0) {
      this.#schedule();
      return;
    }
    this.#down = false;
    this.#downSince = null;
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, 1000);
    this.#timer.unref();
  }
}

type AnyMethod = (...args: never[]) => Promise<unknown>;

function wrap<R extends object>(repo: R, names: ReadonlyArray<keyof R>, as: (run: () => Promise<unknown>, name: keyof R, args: unknown[]) => Promise<unknown>): void {
  for (const name of names) {
    const method = (repo[name] as unknown as AnyMethod).bind(repo);
    (repo as Record<keyof R, unknown>)[name] = (...args: never[]) => as(() => method(...args), name, args);
  }
}

/** Methods of a repository that return a Promise, or (`kind` 'AsyncGeneratorFunction') that page with an async generator. */
function asyncMethods<R extends object>(repo: R, kind = 'AsyncFunction'): Array<keyof R> {
  const names = Object.getOwnPropertyNames(Object.getPrototypeOf(repo)) as Array<keyof R>;
  return names.filter((n) => n !== 'constructor' && typeof repo[n] === 'function' && (repo[n] as { constructor: { name: string } }).constructor.name === kind);
}

/** Paging generators (batch results, search iteration): an unreachable server ends them with `StoreUnavailableError`. */
function guardGenerators<R extends object>(repo: R, queue: WriteQueue): void {
  for (const name of asyncMethods(repo, 'AsyncGeneratorFunction')) {
    const method = (repo[name] as unknown as (...args: unknown[]) => AsyncGenerator<unknown>).bind(repo);
    (repo as Record<keyof R, unknown>)[name] = async function* (...args: unknown[]) {
      const pages = method(...args);
      for (;;) {
        const next = await queue.read(() => pages.next());
        if (next.done) return next.value;
        yield next.value;
      }
    };
  }
}

/** What a queued write answers at once (the write itself happens when the server is back). */
const QUEUED_ANSWERS: Record<string, Record<string, unknown>> = {
  cache: { put: true, putMany: 0, addUsage: undefined },
  history: { observe: null, appendMany: undefined },
  usage: { add: undefined },
  daily: { add: undefined },
};

/**
 * Reads on every request's path: while the server is down they answer what they last answered for the
 * same arguments (a token revoked during the outage still works until the server is back), or the
 * default given here when they never did.
 */
const REMEMBERED: Record<string, Record<string, { none: unknown } | undefined>> = {
  tokens: { count: undefined, verify: undefined, uploadPolicy: undefined },
  watchlists: { namesOf: { none: [] } },
};
const REMEMBER_AT_MOST = 10_000;

class LastAnswers {
  readonly #answers = new Map<string, unknown>();

  key(name: string, args: unknown[]): string {
    // hashed: a token passed to verify() is not kept in clear
    return createHash('sha256').update(`${name}\0${JSON.stringify(args)}`).digest('base64url');
  }

  async remember<T>(key: string, run: () => Promise<T>): Promise<T> {
    const value = await run();
    if (this.#answers.size >= REMEMBER_AT_MOST && !this.#answers.has(key)) this.#answers.delete(this.#answers.keys().next().value as string);
    this.#answers.set(key, value);
    return value;
  }

  has(key: string): boolean {
    return this.#answers.has(key);
  }

  get(key: string): unknown {
    return this.#answers.get(key);
  }
}

/**
 * Routes every repository call of a PostgreSQL store through `queue`: the writes named in
 * QUEUED_ANSWERS are queued while the server is down, a cache read answers "not cached" (the memory
 * and Redis tiers answered before it), the reads in REMEMBERED their last answer, everything else
 * fails with `StoreUnavailableError`.
 */
export function guardStore(repos: Readonly<Record<string, object>>, queue: WriteQueue): void {
  const last = new LastAnswers();
  for (const [key, repo] of Object.entries(repos)) {
    const queued = QUEUED_ANSWERS[key] ?? {};
    guardGenerators(repo, queue);
    const remembered = REMEMBERED[key] ?? {};
    wrap(repo, asyncMethods(repo), (run, name, args) => {
      if (Object.hasOwn(queued, name)) return queue.write(run, queued[name as string]);
      if (key === 'cache' && name === 'get') return queue.read(run, () => undefined);
      // freshness of many ids: none is known fresh while the server is down (the tiers above answered first)
      if (key === 'cache' && name === 'expiresAtMany') return queue.read(run, () => new Map());
      if (!Object.hasOwn(remembered, name)) return queue.read(run);
      const k = last.key(`${key}.${String(name)}`, args);
      const none = remembered[name as string];
      return queue.read(
        () => last.remember(k, run),
        last.has(k) || none ? () => (last.has(k) ? last.get(k) : none?.none) : undefined,
      );
    });
  }
}
