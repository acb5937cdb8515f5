import type { IndicatorKind } from '../../indicators/index.js';

/** A named list of indicators an operator wants re-checked every `everyMs`. */
export interface Watchlist {
  name: string;
  /** How often its items are due for a refresh (default one day). */
  everyMs: number;
  createdAt: number;
  /** Number of items (filled by `list` and `get`). */
  items: number;
}

export interface WatchlistItem {
  watchlist: string;
  kind: IndicatorKind;
  /** Canonical id (as in the cache). */
  id: string;
  /** The indicator as the operator gave it. */
  indicator: string;
  addedAt: number;
  /** Epoch ms of the last refresh made for the watchlist; null = never (due at once). */
  lastCheckedAt: number | null;
}

/** A watchlist item that is due, with the interval of its list. */
export interface DueWatchlistItem extends WatchlistItem {
  everyMs: number;
  /** Epoch ms when it became due. */
  dueAt: number;
}
