/**
 * The lookup service: the one path every answer takes (cache -> single-flight -> scheduler/governor
 * -> provider -> record). Scans, batches and enrichment build on it; it knows nothing about them.
 */
import type { TieredCache } from '../cache/index.js';
import type { Clock } from '../clock/index.js';
import { errorInfo, runPool } from '../common/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { Governor } from '../governor/index.js';
import { type Indicator, type IndicatorKind, parseIndicator } from '../indicators/index.js';
import type { ProviderName, RequestOptions } from '../providers/types.js';
import type { VirusTotalClient } from '../providers/virustotal/index.js';
import { estimateCost, type Priority } from '../scheduler/index.js';
import type { HistoryRepository } from '../store/index.js';
import { type CacheLookupLike, fromCache } from './cache-answer.js';
import type { ClusterFlights } from './cluster/index.js';
import { NotCachedError, ProviderUnavailableError, QuotaExhaustedError } from './errors.js';
import type { GatewayEventBus } from './events.js';
import { FAIL_FAST_MS, guardedFetch } from './fail-fast.js';
import { refusedAnswer, throwIfRefused } from './key-pool.js';
import { recordUpstreamAnswer } from './records.js';
import { asSimulated, withoutLoopbackLinks } from './simulator.js';
import type { Estimate, GatewayStats, LookupManyOptions, LookupOptions, LookupOutcome, LookupProgress, LookupResult, ProviderStatus } from './types.js';
import type { Upstream, Upstreams } from './upstreams.js';

export interface LookupCounters {
  lookups: number;
  /** Lookups asked at interactive or batch priority (background harvesting yields when this moves). */
  foreground: number;
  cacheHits: number;
  staleServed: number;
  upstreamCalls: number;
  errors: number;
}

export interface LookupDeps {
  config: GatewayConfig;
  clock: Clock;
  cache: TieredCache;
  history: HistoryRepository;
  /** The watchlists holding an indicator (named in its verdict.changed event). */
  watchlistsOf?: (kind: IndicatorKind, id: string) => Promise<string[]>;
  events: GatewayEventBus;
  governor: Governor;
  /** Schedulers at open; provider clients loaded on the first upstream call. */
  upstreams: Upstreams;
  /** Cluster mode: single-flight across instances, behind the in-process one. */
  flights?: ClusterFlights;
}

export type CallOptions = { priority?: Priority; tenant?: string; signal?: AbortSignal };

export class LookupService {
  readonly counters: LookupCounters = { lookups: 0, foreground: 0, cacheHits: 0, staleServed: 0, upstreamCalls: 0, errors: 0 };
  readonly #d: LookupDeps;
  readonly #background = new Set<Promise<unknown>>();

  constructor(deps: LookupDeps) {
    this.#d = deps;
  }

  get clock(): Clock {
    return this.#d.clock;
  }

  /** Looks up one indicator: cache first, then one upstream call shared by every concurrent caller. */
  async lookup(input: string | Indicator, options: LookupOptions = {}): Promise<LookupResult> {
    const indicator = typeof input === 'string' ? parseIndicator(input) : input;
    const up = this.#upstream(options.provider ?? 'virustotal', indicator.kind);
    this.counters.lookups++;
    if ((options.priority ?? 'interactive') !== 'background') this.counters.foreground++;
    try {
      const result = await this.#lookup(up, indicator, options);
      return this.#d.config.mock ? asSimulated(result) : result;
    } catch (err) {
      this.counters.errors++;
      throw err;
    }
  }

  /**
   * `lookup`'s answer when the memory tier holds a fresh one (no older than `maxAgeMs`), at once and
   * without a promise; otherwise undefined, and the caller goes on with `lookup` (which finds the
   * same answer, or looks further). Counted as `lookup` counts a cache hit.
   */
  lookupInMemory(indicator: Indicator, options: Pick<LookupOptions, 'provider' | 'maxAgeMs' | 'priority'> = {}): LookupResult | undefined {
    const up = this.#d.upstreams.get(options.provider ?? 'virustotal');
    if (!up?.scheduler || !this.#d.upstreams.supports(up, indicator.kind)) return undefined;
    const hit = this.#d.cache.getFreshInMemory(up.name, indicator.kind, indicator.id, options.maxAgeMs);
    if (!hit) return undefined;
    this.counters.lookups++;
    if ((options.priority ?? 'interactive') !== 'background') this.counters.foreground++;
    this.counters.cacheHits++;
    const result = fromCache(indicator, hit, 'cache');
    return this.#d.config.mock ? asSimulated(result) : result;
  }

  /** Whether a fresh answer for the indicator is cached (see `freshIds`). */
  async isFresh(provider: ProviderName, kind: IndicatorKind, id: string): Promise<boolean> {
    return (await this.freshIds(provider, kind, [id])).has(id);
  }

  /** Which of `ids` have a fresh cached answer (unexpired in some tier): the one definition of "fresh". */
  freshIds(provider: ProviderName, kind: IndicatorKind, ids: readonly string[]): Promise<Set<string>> {
    return this.#d.cache.freshIds(provider, kind, ids);
  }

  /** Drops cached answers (after a rescan or a new analysis, say). */
  invalidate(filter: { provider?: ProviderName; kind?: IndicatorKind; id?: string }): Promise<number> {
    return this.#d.cache.delete(filter);
  }

  async #lookup(up: Upstream, indicator: Indicator, options: LookupOptions): Promise<LookupResult> {
    const cached = (await this.#d.cache.get(up.name, indicator.kind, indicator.id)) as CacheLookupLike | undefined;
    if (cached?.fresh && (options.maxAgeMs === undefined || cached.ageMs <= options.maxAgeMs)) {
      this.counters.cacheHits++;
      return fromCache(indicator, cached, 'cache');
    }
    if (options.cacheOnly) {
      if (!cached) throw new NotCachedError(indicator.value);
      this.counters.staleServed++;
      return fromCache(indicator, cached, 'stale');
    }
    const allowStale = options.allowStale !== false && options.maxAgeMs !== 0;
    if (cached && allowStale && options.staleWhileRevalidate) {
      this.#refreshInBackground(up, indicator, options.tenant);
      this.counters.staleServed++;
      return fromCache(indicator, cached, 'stale');
    }
    if ((cached && allowStale) || options.waitForQuota === false) {
      const wait = await this.#d.governor.eta(up.key, 1);
      if (wait > this.#d.config.cache.staleIfWaitMs) {
        if (cached && allowStale) {
          this.#refreshInBackground(up, indicator, options.tenant);
          this.counters.staleServed++;
          return fromCache(indicator, cached, 'stale');
        }
        const q = await this.#d.governor.summary(up.key);
        const hot = q.windows.filter((w) => w.remaining <= 0).map((w) => `${w.window} ${w.used}/${w.limit}`);
        throw new QuotaExhaustedError(up.name, wait, hot.length ? `${hot.join(', ')} used` : 'rate limit');
      }
    }
    const priority = options.priority ?? 'interactive';
    // upstream trouble never costs the caller an answer it has, and wait=false answers within seconds
    return guardedFetch({
      fetch: (signal) => this.#fetchOnce(up, indicator, priority, { ...options, signal }),
      callerSignal: options.signal,
      failFastMs: options.waitForQuota === false ? Math.max(FAIL_FAST_MS, this.#d.config.cache.staleIfWaitMs) : undefined,
      stale:
        cached && allowStale
          ? () => {
              this.counters.staleServed++;
              return fromCache(indicator, cached, 'stale');
            }
          : undefined,
      provider: up.name,
      summary: () => this.#d.governor.summary(up.key),
      now: () => this.#d.clock.now(),
    });
  }

  /** One upstream call per indicator: joins this process's flight, else the cluster's (when there is one). */
  #fetchOnce(up: Upstream, indicator: Indicator, priority: Priority, options: LookupOptions): Promise<LookupResult> {
    const key = `${up.name}:${indicator.kind}:${indicator.id}`;
    const flights = this.#d.flights;
    if (!flights || up.scheduler?.inFlight(key)) return this.#fetch(up, indicator, priority, options);
    const startedAt = this.#d.clock.now();
    // an answer another instance fetched meanwhile settles it, if young enough for this caller
    const settled = async () => {
      const hit = (await this.#d.cache.get(up.name, indicator.kind, indicator.id)) as CacheLookupLike | undefined;
      const young = options.maxAgeMs === undefined || (hit && (hit.ageMs <= options.maxAgeMs || hit.entry.fetchedAt >= startedAt));
      return hit?.fresh && young ? fromCache(indicator, hit, 'cache') : undefined;
    };
    return flights.run(key, () => this.#fetch(up, indicator, priority, options), settled, options.signal);
  }

  async #fetch(up: Upstream, indicator: Indicator, priority: Priority, options: LookupOptions): Promise<LookupResult> {
    const scheduler = up.scheduler;
    const provider = scheduler ? await this.#d.upstreams.provider(up.name) : undefined;
    if (!provider || !scheduler) throw new ProviderUnavailableError(up.note ?? `${up.name} is not configured`);
    let ownCall = false;
    const report = await scheduler.run(
      async ({ permit }) => {
        ownCall = true;
        // The caller's abort takes it out of the queue, but a call already granted is let finish and
        // its answer cached: the quota is spent either way, and a resumed run then gets it for free.
        const answer = await provider.lookup(indicator, { permit });
        // a simulated answer is stored with VirusTotal's links, never the simulator's loopback port
        const r = this.#d.config.mock && answer.data ? { ...answer, data: withoutLoopbackLinks(answer.data) } : answer;
        this.counters.upstreamCalls++;
        await recordUpstreamAnswer(r, {
          cache: this.#d.cache,
          history: this.#d.history,
          events: this.#d.events,
          minDetectionDelta: this.#d.config.history.minDetectionDelta,
          ...(this.#d.watchlistsOf ? { watchlistsOf: this.#d.watchlistsOf } : {}),
        });
        return r;
      },
      { key: `${up.name}:${indicator.kind}:${indicator.id}`, priority, tenant: options.tenant, signal: options.signal, kind: 'lookup' },
    );
    if (ownCall) await options.onUpstreamCall?.();
    return {
      indicator,
      provider: up.name,
      source: 'upstream',
      stale: false,
      ageMs: Math.max(0, this.#d.clock.now() - report.fetchedAt),
      fetchedAt: report.fetchedAt,
      report: { ...report, id: indicator.id, indicator: indicator.value },
    };
  }

  #refreshInBackground(up: Upstream, indicator: Indicator, tenant?: string): void {
    if (!up.scheduler || up.scheduler.inFlight(`${up.name}:${indicator.kind}:${indicator.id}`)) return;
    const p = this.#fetchOnce(up, indicator, 'background', { tenant })
      .catch(() => undefined)
      .finally(() => this.#background.delete(p));
    this.#background.add(p);
  }

  #upstream(name: ProviderName, kind: IndicatorKind): Upstream {
    const up = this.#d.upstreams.get(name);
    if (!up) throw new ProviderUnavailableError(`unknown provider "${name}"`);
    if (!up.scheduler) throw new ProviderUnavailableError(up.note ?? `${name} is not configured`);
    if (!this.#d.upstreams.supports(up, kind)) throw new ProviderUnavailableError(`${name} does not look up ${kind} indicators`);
    return up;
  }

  /** Looks up many indicators; bad lines become error outcomes, never exceptions. */
  async lookupMany(inputs: string[], options: LookupManyOptions = {}): Promise<LookupOutcome[]> {
    const outcomes: LookupOutcome[] = new Array(inputs.length);
    const progress: LookupProgress = { total: inputs.length, done: 0, failed: 0, cached: 0, upstream: 0, stale: 0 };
    const { onProgress, onResult, window, ...lookupOptions } = options;
    await runPool(inputs.length, window ?? 256, async (i) => {
      const input = inputs[i] as string;
      let outcome: LookupOutcome;
      try {
        const result = await this.lookup(input, { priority: 'batch', ...lookupOptions });
        outcome = { input, ok: true, result };
        progress[result.source === 'cache' ? 'cached' : result.source]++;
      } catch (err) {
        if (options.signal?.aborted) throw err;
        outcome = { input, ok: false, error: errorInfo(err) };
        progress.failed++;
      }
      progress.done++;
      outcomes[i] = outcome;
      onResult?.(outcome, i);
      onProgress?.({ ...progress });
    });
    return outcomes;
  }

  /** Dry-run cost of looking up `inputs`: what is cached, in flight, and how many calls it needs. */
  async estimate(inputs: ReadonlyArray<string | Indicator>, options: { provider?: ProviderName; priority?: Priority } = {}): Promise<Estimate> {
    const providerName = options.provider ?? 'virustotal';
    const priority = options.priority ?? 'batch';
    const up = this.#d.upstreams.get(providerName);
    if (!up?.scheduler) throw new ProviderUnavailableError(up?.note ?? `${providerName} is not configured`);
    const seen = new Map<string, Indicator>();
    let invalid = 0;
    let duplicates = 0;
    let cached = 0;
    let inFlight = 0;
    let upstream = 0;
    const idsByKind = new Map<IndicatorKind, string[]>();
    for (const input of inputs) {
      let ind: Indicator;
      try {
        ind = typeof input === 'string' ? parseIndicator(input) : input;
      } catch {
        invalid++;
        continue;
      }
      const key = `${providerName}:${ind.kind}:${ind.id}`;
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.set(key, ind);
      idsByKind.set(ind.kind, idsByKind.get(ind.kind) ?? []).get(ind.kind)?.push(ind.id);
    }
    // One freshness query per kind, not one per indicator (a Cowrie log has thousands).
    const fresh = new Map<IndicatorKind, Set<string>>();
    for (const [kind, ids] of idsByKind) fresh.set(kind, await this.freshIds(providerName, kind, ids));
    for (const [key, ind] of seen) {
      if (fresh.get(ind.kind)?.has(ind.id)) cached++;
      else if (up.scheduler.inFlight(key)) inFlight++;
      else upstream++;
    }
    const cost = await estimateCost({ total: seen.size, cached, inFlight, upstream }, this.#d.governor, up.key, this.#reserve(priority));
    return { provider: providerName, total: inputs.length, invalid, duplicates, cached, inFlight, upstream, quota: cost.quota, priority, reserve: this.#reserve(priority), etaMs: cost.etaMs };
  }

  /**
   * The one ETA estimate: until `calls` more upstream calls to `provider` at `priority` could all be
   * granted, from the governor (every window, the bucket, a pause, the interactive reserve).
   */
  async eta(provider: ProviderName, calls: number, priority: Priority = 'batch'): Promise<number> {
    const up = this.#d.upstreams.get(provider);
    if (!up?.scheduler) return Number.POSITIVE_INFINITY;
    return this.#d.governor.eta(up.key, Math.max(0, Math.ceil(calls)), { reserve: this.#reserve(priority) });
  }

  /** The share of each window a call at `priority` leaves to interactive callers (as the scheduler does). */
  #reserve(priority: Priority): number {
    return priority === 'interactive' ? 0 : this.#d.config.scheduler.interactiveReserve;
  }

  /** A raw VirusTotal call (collections, relationships), through the scheduler; GETs are single-flight here and across instances (`joined`: another instance's call). */
  async vtRaw(
    method: 'GET' | 'POST',
    path: string,
    init: Parameters<VirusTotalClient['raw']>[2] = {},
    options: CallOptions = {},
  ): Promise<{ status: number; body: unknown; joined?: true }> {
    const up = this.#d.upstreams.get('virustotal');
    const scheduler = up?.scheduler;
    if (!scheduler) throw new ProviderUnavailableError('VirusTotal is not configured');
    const key = method === 'GET' ? `virustotal:raw:${path}:${JSON.stringify(init.query ?? {})}` : undefined;
    const call = async () => {
      const { vt } = await this.#d.upstreams.clients();
      // on a key pool a refused key's call moves to another key, as lookups do
      const once = async (ctx: RequestOptions) => (up?.pool ? throwIfRefused(await vt.raw(method, path, init, ctx)) : vt.raw(method, path, init, ctx));
      const answer = await scheduler
        .run(({ permit, signal }) => once({ permit, signal }), {
        priority: options.priority ?? 'interactive',
        tenant: options.tenant,
        signal: options.signal,
        kind: 'other',
          ...(key ? { key } : {}),
        })
        .catch(refusedAnswer<Awaited<ReturnType<VirusTotalClient['raw']>>>);
      this.counters.upstreamCalls++;
      return { status: answer.status, body: answer.body };
    };
    const flights = this.#d.flights;
    if (!key || !flights || scheduler.inFlight(key)) return call();
    // a 429 or a server error is not handed to the others: each tries for itself
    const { value, joined } = await flights.runShared(key, call, (a) => a.status < 500 && a.status !== 429, options.signal);
    return joined ? { ...value, joined: true } : value;
  }

  /** The governor key label of a provider (never the secret). */
  keyOf(name: ProviderName): string {
    const up = this.#d.upstreams.get(name);
    if (!up) throw new ProviderUnavailableError(`unknown provider "${name}"`);
    return up.key;
  }

  /** Providers that are configured and can look up `kind`. */
  providersFor(kind: IndicatorKind): ProviderName[] {
    return [...this.#d.upstreams.values()].filter((u) => this.#d.upstreams.supports(u, kind)).map((u) => u.name);
  }

  /** Why a provider is not available, when it is not. */
  providerNote(name: ProviderName): string | undefined {
    const up = this.#d.upstreams.get(name);
    return up?.scheduler ? undefined : up?.note;
  }

  async providers(): Promise<ProviderStatus[]> {
    const out: ProviderStatus[] = [];
    for (const up of this.#d.upstreams.values()) {
      out.push({
        name: up.name,
        enabled: !!up.scheduler,
        ...(up.note && !up.scheduler ? { note: up.note } : {}),
        ...(up.scheduler ? { quota: await this.#d.governor.summary(up.key) } : {}),
      });
    }
    return out;
  }

  /** Queue depth and single-flight joins per configured upstream. */
  schedulerStats(): { queueDepth: GatewayStats['queueDepth']; joins: number } {
    const queueDepth = {} as GatewayStats['queueDepth'];
    let joins = 0;
    for (const up of this.#d.upstreams.values()) {
      if (!up.scheduler) continue;
      queueDepth[up.name] = up.scheduler.depth();
      joins += up.scheduler.stats().joined;
    }
    return { queueDepth, joins };
  }

  /** Stops the schedulers and waits for background refreshes. */
  async close(): Promise<void> {
    await this.#d.upstreams.closeSchedulers();
    await Promise.allSettled([...this.#background]);
  }
}
