/**
 * Harvest: spends a budget of upstream calls on the refreshes most likely to find a changed verdict,
 * at background priority. Candidates, in order of value: watchlist items that are due; cached
 * VirusTotal answers most likely to have changed (young samples, few detections, verdict moved
 * before, about to expire), those seen in a Cowrie run or a batch in the last week (and answered
 * more than a day ago) before the others. `refresh({ budget })` is one harvest by hand (`vtg refresh --budget N`).
 */
import type { TieredCache } from '../cache/index.js';
import type { Clock } from '../clock/index.js';
import { errorInfo } from '../common/index.js';
import { type IndicatorKind, parseIndicator } from '../indicators/index.js';
import type { Change, HistoryRepository } from '../store/index.js';
import type { GatewayEventBus } from './events.js';
import type { RecentSighting, RecentSightings } from './harvest-recent.js';
import type { LookupService } from './lookups.js';
import type { WatchlistService } from './watchlists.js';

const DAY = 86_400_000;
const HOUR = 3600_000;

export interface HarvestCandidate {
  kind: IndicatorKind;
  id: string;
  indicator: string;
  /** `recent`: a cached answer for an indicator seen in a Cowrie run or a batch in the last week. */
  source: 'watchlist' | 'cache' | 'recent';
  /** Higher first. */
  score: number;
  /** Why it was chosen, for people. */
  reason: string;
  watchlists?: string[];
}

export interface HarvestRefreshed extends HarvestCandidate {
  ok: boolean;
  error?: string;
  /** Upstream calls this refresh made (0 when another caller's call answered it). */
  calls: number;
  verdict?: string;
  detections?: number | null;
  change?: Change;
}

export interface HarvestResult {
  budget: number;
  dryRun: boolean;
  /** What it chose, best first. */
  planned: HarvestCandidate[];
  /** What it refreshed (empty on a dry run). */
  refreshed: HarvestRefreshed[];
  calls: number;
  changes: number;
  /** Why it stopped before the plan's end, when it did. */
  stopped?: 'aborted' | 'rate-limited' | 'yielded';
  startedAt: number;
  finishedAt: number;
}

export interface HarvestRunOptions {
  budget: number;
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Stop before the next refresh when this says so (interactive work arrived, upstream said 429). */
  shouldStop?: () => 'aborted' | 'rate-limited' | 'yielded' | undefined;
}

export interface HarvestCounters {
  runs: number;
  calls: number;
  changes: number;
}

export interface HarvestDeps {
  clock: Clock;
  lookups: LookupService;
  watchlists: WatchlistService;
  cache: TieredCache;
  history: HistoryRepository;
  events: GatewayEventBus;
  /** Indicators seen lately in Cowrie runs and batches (none when absent). */
  recent?: RecentSightings;
}

/** Cache entries scanned per plan (newest first), so a plan stays cheap on a big cache. */
const MAX_CACHE_SCAN = 5000;
/** How far back a Cowrie run or a batch makes an indicator a better bet, and what it adds to the score. */
const RECENT_MS = 7 * DAY;
const RECENT_BONUS = 20;

export class HarvestService {
  readonly counters: HarvestCounters = { runs: 0, calls: 0, changes: 0 };
  readonly #d: HarvestDeps;

  constructor(deps: HarvestDeps) {
    this.#d = deps;
  }

  /** The best `budget` refreshes at this moment, with their scores and reasons. */
  async plan(budget: number): Promise<HarvestCandidate[]> {
    if (budget <= 0) return [];
    const now = this.#d.clock.now();
    const chosen = new Map<string, HarvestCandidate>();
    for (const item of await this.#d.watchlists.due(now, budget * 4)) {
      const key = `${item.kind}:${item.id}`;
      const prev = chosen.get(key);
      if (prev) {
        prev.watchlists?.push(item.watchlist);
        continue;
      }
      const overdueDays = Math.max(0, now - item.dueAt) / DAY;
      chosen.set(key, {
        kind: item.kind,
        id: item.id,
        indicator: item.indicator,
        source: 'watchlist',
        score: round(100 + Math.min(50, overdueDays * 10)),
        reason: item.lastCheckedAt === null ? `watchlist ${item.watchlist}: never checked` : `watchlist ${item.watchlist}: due ${ago(now - item.dueAt)}`,
        watchlists: [item.watchlist],
      });
    }
    const fromCache: HarvestCandidate[] = [];
    if (chosen.size < budget) {
      // newest sighting per indicator, only for answers older than a day (the run itself just looked it up)
      const recent = new Map<string, RecentSighting>();
      for (const r of (await this.#d.recent?.(now - RECENT_MS, now)) ?? []) {
        const key = `${r.kind}:${r.id}`;
        if (!chosen.has(key) && !recent.has(key) && now - r.virustotal.fetchedAt >= DAY) recent.set(key, r);
      }
      const withRecent = (key: string, c: HarvestCandidate | undefined): HarvestCandidate | undefined => {
        const r = recent.get(key);
        if (!c || !r) return c;
        recent.delete(key);
        return { ...c, source: 'recent', score: c.score + RECENT_BONUS, reason: `seen in ${r.where} (${ago(now - r.at)}), ${c.reason}` };
      };
      let cursor: string | undefined;
      let scanned = 0;
      do {
        const page = await this.#d.cache.list({ provider: 'virustotal', limit: 500, ...(cursor ? { cursor } : {}) });
        for (const entry of page.items) {
          scanned++;
          const r = entry.report;
          // a file is cached under each of its hashes: refresh it once, by its sha256 when known
          const sha256 = r.kind === 'file' && r.details?.provider === 'virustotal' ? r.details.hashes?.sha256 : null;
          if (sha256 && sha256 !== r.id) continue;
          const key = `${r.kind}:${r.id}`;
          if (chosen.has(key)) continue;
          const c = withRecent(key, await this.#score(r.kind, r.id, r.indicator, entry, now));
          if (c) fromCache.push(c);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor && scanned < MAX_CACHE_SCAN);
      // sightings beyond the scanned part of the cache: scored from the index's copy of the answer
      for (const [key, r] of [...recent]) {
        const vt = r.virustotal;
        const report = { found: vt.found, verdict: vt.verdict, detections: vt.detections ?? 0, firstSeenAt: vt.firstSeenAt };
        const c = withRecent(key, await this.#score(r.kind, r.id, r.indicator, { report }, now));
        if (c) fromCache.push(c);
      }
    }
    // what a Cowrie run or a batch saw this week comes before the rest of the cache, best first within each
    const tier = (c: HarvestCandidate) => (c.source === 'recent' ? 0 : 1);
    fromCache.sort((a, b) => tier(a) - tier(b) || b.score - a.score || a.id.localeCompare(b.id));
    return [...chosen.values()].sort((a, b) => b.score - a.score).concat(fromCache).slice(0, budget);
  }

  async #score(
    kind: IndicatorKind,
    id: string,
    indicator: string,
    entry: { report: { found: boolean; verdict: string; detections?: number; firstSeenAt?: number | null }; expiresAt?: number },
    now: number,
  ): Promise<HarvestCandidate | undefined> {
    const r = entry.report;
    let score = 1;
    const why: string[] = [];
    if (!r.found) why.push('not found before');
    if (r.firstSeenAt && now - r.firstSeenAt < 7 * DAY) {
      score += 30;
      why.push(`first seen ${ago(now - r.firstSeenAt)}`);
    }
    const det = r.detections ?? 0;
    if (r.found && det >= 1 && det <= 5) {
      score += 25;
      why.push(`${det} detection${det === 1 ? '' : 's'}`);
    }
    if (r.verdict === 'suspicious') {
      score += 10;
      why.push('suspicious');
    }
    if ((await this.#d.history.changes({ id, limit: 1 })).some((c) => c.kind === kind)) {
      score += 30;
      why.push('verdict moved before');
    }
    const left = (entry.expiresAt ?? Number.POSITIVE_INFINITY) - now;
    if (left <= 0) {
      score += 20;
      why.push('expired');
    } else if (left < 6 * HOUR) {
      score += 15;
      why.push(`expires in ${Math.ceil(left / HOUR)} h`);
    }
    return { kind, id, indicator, source: 'cache', score, reason: why.length ? why.join(', ') : 'cached' };
  }

  /** One harvest: plans `budget` refreshes and makes them one at a time at background priority. */
  async run(options: HarvestRunOptions): Promise<HarvestResult> {
    const startedAt = this.#d.clock.now();
    const budget = Math.max(0, Math.floor(options.budget));
    const planned = await this.plan(budget);
    const result: HarvestResult = { budget, dryRun: options.dryRun === true, planned, refreshed: [], calls: 0, changes: 0, startedAt, finishedAt: startedAt };
    if (options.dryRun) return result;
    this.counters.runs++;
    const changes = new Map<string, Change>();
    const onChange = (c: Change) => {
      if (c.provider === 'virustotal') changes.set(`${c.kind}:${c.id}`, c);
    };
    this.#d.events.on('verdict.changed', onChange);
    try {
      for (const cand of planned) {
        if (result.calls >= budget) break;
        if (options.signal?.aborted) {
          result.stopped = 'aborted';
          break;
        }
        const stop = options.shouldStop?.();
        if (stop) {
          result.stopped = stop;
          break;
        }
        const done = await this.#refresh(cand, changes, options.signal);
        result.refreshed.push(done);
        result.calls += done.calls;
        if (done.change) result.changes++;
        if (!done.ok && /429|TooManyRequests|QuotaExceeded|QuotaExhausted/i.test(done.error ?? '')) {
          result.stopped = 'rate-limited';
          break;
        }
      }
    } finally {
      this.#d.events.off('verdict.changed', onChange);
    }
    this.counters.calls += result.calls;
    this.counters.changes += result.changes;
    result.finishedAt = this.#d.clock.now();
    return result;
  }

  async #refresh(cand: HarvestCandidate, changes: Map<string, Change>, signal?: AbortSignal): Promise<HarvestRefreshed> {
    let calls = 0;
    try {
      const ind = parseIndicator(cand.indicator, { allowPrivate: true });
      const r = await this.#d.lookups.lookup(ind, {
        priority: 'background',
        maxAgeMs: 0,
        allowStale: false,
        ...(signal ? { signal } : {}),
        onUpstreamCall: () => {
          calls++;
        },
      });
      const at = this.#d.clock.now();
      await this.#d.watchlists.markChecked(cand.kind, cand.id, at);
      const change = changes.get(`${cand.kind}:${cand.id}`);
      return {
        ...cand,
        ok: true,
        calls,
        verdict: r.report.verdict,
        detections: r.report.detections ?? null,
        ...(change ? { change } : {}),
      };
    } catch (err) {
      const e = errorInfo(err);
      return { ...cand, ok: false, calls, error: `${e.code}: ${e.message}` };
    }
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function ago(ms: number): string {
  if (ms < HOUR) return `${Math.max(0, Math.round(ms / 60_000))} min ago`;
  if (ms < DAY) return `${Math.round(ms / HOUR)} h ago`;
  return `${Math.round(ms / DAY)} d ago`;
}
