/**
 * Watchlists: named lists of indicators re-checked at background priority when due (default daily).
 * A `verdict.changed` event for an indicator on a list names the lists it is on.
 */
import { errorInfo } from '../common/index.js';
import { parseIndicator } from '../indicators/index.js';
import type { DueWatchlistItem, Watchlist, WatchlistItem, WatchlistRepository } from '../store/index.js';

export type { DueWatchlistItem, Watchlist, WatchlistItem } from '../store/index.js';

export interface WatchlistAddResult {
  watchlist: Watchlist;
  /** Items new to the list. */
  added: number;
  /** Items already on it. */
  existing: number;
  invalid: Array<{ input: string; error: string }>;
}

export interface WatchlistView {
  watchlist: Watchlist;
  items: WatchlistItem[];
}

/** Reads `1d`, `12h`, `30m`, `2w` (or milliseconds as a bare number) as milliseconds. */
export function parseInterval(text: string): number {
  const m = /^(\d+)\s*(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!m) throw new RangeError(`invalid interval ${JSON.stringify(text)} (e.g. 1d, 12h, 30m)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000, w: 7 * 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  const ms = Number(m[1]) * unit;
  if (ms < 60_000) throw new RangeError('a watchlist interval is at least one minute');
  return ms;
}

/** Where a list's members are recorded as a search source (`watchlist:<name>`). */
export interface WatchlistSources {
  putSource(source: string, items: ReadonlyArray<{ kind: WatchlistItem['kind']; id: string }>, at: number): Promise<void>;
}

export class WatchlistService {
  readonly #repo: WatchlistRepository;
  readonly #sources: WatchlistSources | undefined;
  readonly #now: () => number;

  constructor(repo: WatchlistRepository, sources?: WatchlistSources, now: () => number = Date.now) {
    this.#repo = repo;
    this.#sources = sources;
    this.#now = now;
  }

  /** Adds indicators to a list (created when missing). Bad lines are reported, never thrown. */
  async add(name: string, inputs: readonly string[], options: { everyMs?: number } = {}): Promise<WatchlistAddResult> {
    const invalid: WatchlistAddResult['invalid'] = [];
    const items: Array<{ kind: WatchlistItem['kind']; id: string; indicator: string }> = [];
    const seen = new Set<string>();
    for (const raw of inputs) {
      const input = raw.trim();
      if (input === '' || input.startsWith('#')) continue;
      try {
        const ind = parseIndicator(input);
        const key = `${ind.kind}:${ind.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        items.push({ kind: ind.kind, id: ind.id, indicator: ind.value });
      } catch (err) {
        invalid.push({ input, error: errorInfo(err).message });
      }
    }
    const added = await this.#repo.add(name, items, options.everyMs);
    if (items.length > 0) await this.#sources?.putSource(`watchlist:${name}`, items, this.#now());
    return { watchlist: (await this.#repo.get(name)) as Watchlist, added, existing: items.length - added, invalid };
  }

  async list(): Promise<Watchlist[]> {
    return this.#repo.list();
  }

  async show(name: string): Promise<WatchlistView | undefined> {
    const watchlist = await this.#repo.get(name);
    return watchlist ? { watchlist, items: await this.#repo.items(name) } : undefined;
  }

  async remove(name: string): Promise<boolean> {
    return this.#repo.remove(name);
  }

  /** Removes one indicator from a list. */
  async removeItem(name: string, input: string): Promise<boolean> {
    const ind = parseIndicator(input);
    return this.#repo.removeItem(name, ind.kind, ind.id);
  }

  /** Items due for a refresh at `now`, most overdue first. */
  async due(now: number, limit?: number): Promise<DueWatchlistItem[]> {
    return this.#repo.due(now, limit);
  }

  /** Records a refresh of an indicator for every list that holds it. */
  async markChecked(kind: WatchlistItem['kind'], id: string, at: number): Promise<void> {
    await this.#repo.markChecked(kind, id, at);
  }

  async namesOf(kind: WatchlistItem['kind'], id: string): Promise<string[]> {
    return this.#repo.namesOf(kind, id);
  }
}
