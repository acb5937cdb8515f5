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
import type { ProviderName } from '../providers/types.js';
import type { VirusTotalClient } from '../providers/virustotal/index.js';
import { estimateCost, type Priority } from '../scheduler/index.js';
import type { HistoryRepository } from '../store/index.js';
import { NotCachedError, ProviderUnavailableError, QuotaExhaustedError } from './errors.js';
import { FAIL_FAST_MS, guardedFetch } from './fail-fast.js';
import type { GatewayEventBus } from './events.js';
import { recordUpstreamAnswer } from './records.js';
import type { Estimate, GatewayStats, LookupManyOptions, LookupOptions, LookupOutcome, LookupProgress, LookupResult, ProviderStatus } from './types.js';
import type { Upstream } from './upstreams.js';

interface CacheLookupLike {
  entry: { report: LookupResult['report']; fetchedAt: number };
  fresh: boolean;
  ageMs: number;
}

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
  upstreams: Map<ProviderName, Upstream>;
  vt: VirusTotalClient;
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
      return await this.#lookup(up, indicator, options);
    } catch (err) {
      this.counters.errors++;
      throw err;
    }
  }

  /** Whether a fresh answer for the indicator is cached: the one definition of "fresh". */
  async isFresh(provider: ProviderName, kind: IndicatorKind, id: string): Promise<boolean> {
    const hit = (await this.#d.cache.get(provider, kind, id)) as CacheLookupLike | undefined;
    return hit?.fresh === true;
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
      fetch: (signal) => this.#fetch(up, indicator, priority, { ...options, signal }),
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

  async #fetch(up: Upstream, indicator: Indicator, priority: Priority, options: LookupOptions): Promise<LookupResult> {
    const provider = up.provider;
    const scheduler = up.scheduler;
    if (!provider || !scheduler) throw new ProviderUnavailableError(up.note ?? `${up.name} is not configured`);
    let ownCall = false;
    const report = await scheduler.run(
      async ({ permit }) => {
        ownCall = true;
        // The caller's abort takes it out of the queue, but a call already granted is let finish and
        // its answer cached: the quota is spent either way, and a resumed run then gets it for free.
        const r = await provider.lookup(indicator, { permit });
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
    const p = this.#fetch(up, indicator, 'background', { tenant })
      .catch(() => undefined)
      .finally(() => this.#background.delete(p));
    this.#background.add(p);
  }

  #upstream(name: ProviderName, kind: IndicatorKind): Upstream {
    const up = this.#d.upstreams.get(name);
    if (!up) throw new ProviderUnavailableError(`unknown provider "${name}"`);
    if (!up.provider) throw new ProviderUnavailableError(up.note ?? `${name} is not configured`);
    if (!up.provider.supports(kind)) throw new ProviderUnavailableError(`${name} does not look up ${kind} indicators`);
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
  async estimate(inputs: ReadonlyArray<string | Indicator>, options: { provider?: ProviderName } = {}): Promise<Estimate> {
    const providerName = options.provider ?? 'virustotal';
    const up = this.#d.upstreams.get(providerName);
    if (!up?.scheduler) throw new ProviderUnavailableError(up?.note ?? `${providerName} is not configured`);
    const seen = new Set<string>();
    let invalid = 0;
    let duplicates = 0;
    let cached = 0;
    let inFlight = 0;
    let upstream = 0;
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
      seen.add(key);
      if (await this.isFresh(providerName, ind.kind, ind.id)) cached++;
      else if (up.scheduler.inFlight(key)) inFlight++;
      else upstream++;
    }
    const cost = await estimateCost({ total: seen.size, cached, inFlight, upstream }, this.#d.governor, up.key);
    return { provider: providerName, total: inputs.length, invalid, duplicates, cached, inFlight, upstream, quota: cost.quota, etaMs: cost.etaMs };
  }

  /** Raw VirusTotal call for the VT-compatible surface (collections, relationships): through the scheduler. */
  async vtRaw(
    method: 'GET' | 'POST',
    path: string,
    init: Parameters<VirusTotalClient['raw']>[2] = {},
    options: CallOptions = {},
  ): Promise<{ status: number; body: unknown }> {
    const scheduler = this.#d.upstreams.get('virustotal')?.scheduler;
    if (!scheduler) throw new ProviderUnavailableError('VirusTotal is not configured');
    const answer = await scheduler.run(({ permit, signal }) => this.#d.vt.raw(method, path, init, { permit, signal }), {
      priority: options.priority ?? 'interactive',
      tenant: options.tenant,
      signal: options.signal,
      kind: 'other',
      ...(method === 'GET' ? { key: `virustotal:raw:${path}:${JSON.stringify(init.query ?? {})}` } : {}),
    });
    this.counters.upstreamCalls++;
    return { status: answer.status, body: answer.body };
  }

  /** The governor key label of a provider (never the secret). */
  keyOf(name: ProviderName): string {
    const up = this.#d.upstreams.get(name);
    if (!up) throw new ProviderUnavailableError(`unknown provider "${name}"`);
    return up.key;
  }

  /** Providers that are configured and can look up `kind`. */
  providersFor(kind: IndicatorKind): ProviderName[] {
    return [...this.#d.upstreams.values()].filter((u) => u.provider?.supports(kind)).map((u) => u.name);
  }

  /** Why a provider is not available, when it is not. */
  providerNote(name: ProviderName): string | undefined {
    const up = this.#d.upstreams.get(name);
    return up?.provider ? undefined : up?.note;
  }

  async providers(): Promise<ProviderStatus[]> {
    const out: ProviderStatus[] = [];
    for (const up of this.#d.upstreams.values()) {
      out.push({
        name: up.name,
        enabled: !!up.provider,
        ...(up.note && !up.provider ? { note: up.note } : {}),
        ...(up.provider ? { quota: await this.#d.governor.summary(up.key) } : {}),
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
    for (const up of this.#d.upstreams.values()) await up.scheduler?.close();
    await Promise.allSettled([...this.#background]);
  }
}

function fromCache(indicator: Indicator, found: CacheLookupLike, source: 'cache' | 'stale'): LookupResult {
  const report = found.entry.report;
  return {
    indicator,
    provider: report.provider,
    source,
    stale: source === 'stale',
    ageMs: found.ageMs,
    fetchedAt: found.entry.fetchedAt,
    report: { ...report, id: indicator.id, indicator: indicator.value },
  };
}
