import type { Clock } from '../../clock/index.js';
import type { IndicatorKind } from '../../indicators/index.js';
import type { SqlDb } from '../db/sql.js';
import type { DueWatchlistItem, Watchlist, WatchlistItem } from './types.js';

const SQL = {
  upsertList: `INSERT INTO watchlists (name, every_ms, created_at) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET every_ms = COALESCE(?, watchlists.every_ms)`,
  addItem: `INSERT INTO watchlist_items (watchlist, kind, indicator_id, indicator, added_at, last_checked_at)
    VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT (watchlist, kind, indicator_id) DO NOTHING`,
  lists: `SELECT w.name, w.every_ms, w.created_at, (SELECT COUNT(*) FROM watchlist_items i WHERE i.watchlist = w.name) AS items
    FROM watchlists w ORDER BY w.name`,
  list: `SELECT w.name, w.every_ms, w.created_at, (SELECT COUNT(*) FROM watchlist_items i WHERE i.watchlist = w.name) AS items
    FROM watchlists w WHERE w.name = ?`,
  items: 'SELECT * FROM watchlist_items WHERE watchlist = ? ORDER BY added_at, indicator_id',
  deleteItems: 'DELETE FROM watchlist_items WHERE watchlist = ?',
  deleteList: 'DELETE FROM watchlists WHERE name = ?',
  deleteItem: 'DELETE FROM watchlist_items WHERE watchlist = ? AND kind = ? AND indicator_id = ?',
  due: `SELECT i.*, w.every_ms FROM watchlist_items i JOIN watchlists w ON w.name = i.watchlist
    WHERE i.last_checked_at IS NULL OR i.last_checked_at + w.every_ms <= ?
    ORDER BY COALESCE(i.last_checked_at + w.every_ms, i.added_at), i.watchlist, i.indicator_id LIMIT ?`,
  checked: 'UPDATE watchlist_items SET last_checked_at = ? WHERE kind = ? AND indicator_id = ?',
  namesOf: 'SELECT watchlist FROM watchlist_items WHERE kind = ? AND indicator_id = ? ORDER BY watchlist',
} as const;

interface ListRow {
  name: string;
  every_ms: number;
  created_at: number;
  items: number;
}

interface ItemRow {
  watchlist: string;
  kind: IndicatorKind;
  indicator_id: string;
  indicator: string;
  added_at: number;
  last_checked_at: number | null;
  every_ms?: number;
}

const toList = (r: ListRow): Watchlist => ({ name: r.name, everyMs: r.every_ms, createdAt: r.created_at, items: r.items });
const toItem = (r: ItemRow): WatchlistItem => ({
  watchlist: r.watchlist,
  kind: r.kind,
  id: r.indicator_id,
  indicator: r.indicator,
  addedAt: r.added_at,
  lastCheckedAt: r.last_checked_at,
});

export const DEFAULT_WATCH_EVERY_MS = 24 * 3600_000;

/** Watchlists and their items. Names are 1..64 characters of letters, digits, `.`, `_` and `-`. */
export class WatchlistRepository {
  readonly #db: SqlDb;
  readonly #clock: Clock;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Creates the list when missing (`everyMs` updates an existing one when given) and adds items; returns how many were new. */
  async add(name: string, items: ReadonlyArray<{ kind: IndicatorKind; id: string; indicator: string }>, everyMs?: number): Promise<number> {
    assertName(name);
    if (everyMs !== undefined && (!Number.isInteger(everyMs) || everyMs < 60_000)) throw new RangeError('a watchlist interval is at least one minute');
    const now = this.#clock.now();
    return await this.#db.transaction(async (tx) => {
      await tx.run(SQL.upsertList, name, everyMs ?? DEFAULT_WATCH_EVERY_MS, now, everyMs ?? null);
      let added = 0;
      for (const it of items) added += await tx.run(SQL.addItem, name, it.kind, it.id, it.indicator, now);
      return added;
    });
  }

  async list(): Promise<Watchlist[]> {
    return ((await this.#db.all(SQL.lists)) as ListRow[]).map(toList);
  }

  async get(name: string): Promise<Watchlist | undefined> {
    const row = (await this.#db.get(SQL.list, name)) as ListRow | undefined;
    return row ? toList(row) : undefined;
  }

  async items(name: string): Promise<WatchlistItem[]> {
    return ((await this.#db.all(SQL.items, name)) as ItemRow[]).map(toItem);
  }

  /** Removes a whole list. */
  async remove(name: string): Promise<boolean> {
    return await this.#db.transaction(async (tx) => {
      await tx.run(SQL.deleteItems, name);
      return (await tx.run(SQL.deleteList, name)) > 0;
    });
  }

  /** Removes one item from a list. */
  async removeItem(name: string, kind: IndicatorKind, id: string): Promise<boolean> {
    return (await this.#db.run(SQL.deleteItem, name, kind, id)) > 0;
  }

  /** Items due at `now` (never checked first, then the longest overdue). */
  async due(now: number, limit = 1000): Promise<DueWatchlistItem[]> {
    return ((await this.#db.all(SQL.due, now, limit)) as Array<ItemRow & { every_ms: number }>).map((r) => ({
      ...toItem(r),
      everyMs: r.every_ms,
      dueAt: r.last_checked_at === null ? r.added_at : r.last_checked_at + r.every_ms,
    }));
  }

  /** Marks an indicator checked in every list that holds it. */
  async markChecked(kind: IndicatorKind, id: string, at: number): Promise<void> {
    (await this.#db.run(SQL.checked, at, kind, id));
  }

  /** The lists that hold an indicator. */
  async namesOf(kind: IndicatorKind, id: string): Promise<string[]> {
    return ((await this.#db.all(SQL.namesOf, kind, id)) as Array<{ watchlist: string }>).map((r) => r.watchlist);
  }
}

function assertName(name: string): void {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new RangeError(`invalid watchlist name ${JSON.stringify(name)} (1..64 letters, digits, ".", "_", "-")`);
}
