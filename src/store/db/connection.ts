import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type DatabaseModule from 'better-sqlite3';

// Start-up cost, measured on `vtg lookup`: require() rather than an ES import of this CommonJS
// package (no scan of its source), and the addon's path given (no search of a dozen directories).
const require = createRequire(import.meta.filename);
const Database = require('better-sqlite3') as typeof DatabaseModule;
const ADDON = join(dirname(require.resolve('better-sqlite3')), '..', 'build', 'Release', 'better_sqlite3.node');
const nativeBinding = existsSync(ADDON) ? { nativeBinding: ADDON } : {};

export type Db = DatabaseModule.Database;

/** Waits this long for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
/** After a checkpoint the WAL file is cut back to this size, so it does not keep its peak size forever. */
const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

const AUTO_VACUUM_INCREMENTAL = 2;

/** Opens the SQLite file with the store's settings (WAL, synchronous NORMAL, incremental auto-vacuum). */
export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  const readonly = options.readonly === true;
  const db = new Database(file, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS, ...nativeBinding });
  try {
    if (!readonly) {
      // page_size and auto_vacuum only take effect while the file has no table yet, so they come first.
      // Cached reports are stored deflated at 2-4 KB each: 16 KiB pages hold several per page where
      // 4 KiB pages held one and wasted the rest (measured: 4.5 KB on disk per 2.3 KB report).
      db.pragma('page_size = 16384');
      // setting it takes the write lock even when it is already set: every open then waited for any
      // other process's write transaction (and failed after BUSY_TIMEOUT_MS); a read tells
      if (db.pragma('auto_vacuum', { simple: true }) !== AUTO_VACUUM_INCREMENTAL) db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    }
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Safe with WAL: a process crash loses nothing committed; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
