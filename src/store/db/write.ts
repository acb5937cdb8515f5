/**
 * Writes that survive a second process on the same file (`vtg serve` plus `vtg batch` on one data
 * dir). A deferred transaction that reads before it writes cannot wait for another process's write
 * lock: SQLite answers SQLITE_BUSY at once ("database is locked") rather than deadlock. So every
 * read-then-write transaction here starts IMMEDIATE (it takes the write lock first, waiting up to the
 * busy timeout), and a write that still finds the lock held is retried with a short backoff for up
 * to `WRITE_RETRY_MS` in all: an answer that was fetched upstream is never lost to a lock.
 */
import type { Db } from './connection.js';

/** How long, in all, a write keeps retrying a held lock (each attempt also waits the busy timeout). */
export const WRITE_RETRY_MS = 30_000;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Runs `run`, retrying while SQLite reports the database busy or locked (the busy timeout already
 * blocks inside SQLite). Inside an open transaction it runs once: only the outermost write may be
 * retried as a whole.
 */
export function retryBusy<R>(db: Db, run: () => R, totalMs = WRITE_RETRY_MS): R {
  if (db.inTransaction) return run();
  const end = Date.now() + totalMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return run();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= end) throw err;
      const pause = Math.min(250, 5 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
      Atomics.wait(sleeper, 0, 0, pause);
    }
  }
}
