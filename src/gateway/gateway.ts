/**
 * The Gateway: the one object the CLI, the HTTP service and library users call. It composes the
 * path every request takes: indicator -> cache -> single-flight -> scheduler/governor -> provider
 * -> cache + history -> change events.
 */
import { join } from 'node:path';
import { CacheRotator, type CacheListPage, type CacheListQuery, openRedisCacheTier, type RedisCacheTier, TieredCache, type TieredCacheInfo } from '../cache/index.js';
import { type Clock, systemClock } from '../clock/index.js';
import { type GatewayConfig, loadConfig } from '../config/index.js';
import { type Governor, MemoryGovernor, openRedisGovernor } from '../governor/index.js';
import { type Indicator, type IndicatorKind, parseIndicator } from '../indicators/index.js';
import type { MockServer } from '../mock/index.js';
import type { ProviderName } from '../providers/types.js';
import type { VirusTotalClient } from '../providers/virustotal/index.js';
import { estimateCost, type Priority, type SchedulerEvent } from '../scheduler/index.js';
import { type Change, type Observation, type PruneResult, Store, type TokenRepository, type WebhookRepository } from '../store/index.js';
import { BatchRunner } from './batches.js';
import { type EnrichOptions, type EnrichResult, enrichIndicator } from './enrich.js';
import { FAIL_FAST_MS, guardedFetch } from './fail-fast.js';
import { NotCachedError, ProviderUnavailableError, QuotaExhaustedError } from './errors.js';
import { GatewayEventBus } from './events.js';
import { QuotaPersistence } from './quota-persistence.js';
import { QuotaReconciler } from './reconcile.js';
import { recordUpstreamAnswer } from './records.js';
import { ScanService } from './scans.js';
import { startSimulator } from './simulator.js';
import type {
  AnalysisView,
  BatchCreateOptions,
  BatchItem,
  BatchJob,
  BatchView,
  Estimate,
  GatewayStats,
  Health,
  HistoryView,
  LookupManyOptions,
  LookupOptions,
  LookupOutcome,
  LookupProgress,
  LookupResult,
  ProviderStatus,
  QuotaView,
  ScanFileOptions,
  ScanResult,
} from './types.js';
import { buildUpstreams, type Upstream } from './upstreams.js';
import { VERSION } from './version.js';

export interface GatewayOptions {
  /** Default: `loadConfig()` (env and config file). */
  config?: GatewayConfig;
  clock?: Clock;
}

interface CacheLookupLike {
  entry: { report: LookupResult['report']; fetchedAt: number };
  fresh: boolean;
  ageMs: number;
}

function errorInfo(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; name?: string; message?: string };
  const code = typeof e?.code === 'string' ? e.code : (e?.name ?? 'Error');
  return { code, message: e?.message ?? String(err) };
}

export class Gateway {
  readonly config: GatewayConfig;
  readonly mock: boolean;
  readonly simulatorUrl: string | undefined;
  readonly events = new GatewayEventBus();
  readonly version = VERSION;
  readonly clock: Clock;
  readonly store: Store;
  readonly cache: TieredCache;

  readonly #governor: Governor;
  readonly #upstreams: Map<ProviderName, Upstream>;
  readonly #vt: VirusTotalClient;
  readonly #simulator: MockServer | undefined;
  readonly #rotator: CacheRotator;
  readonly #reconciler: QuotaReconciler;
  readonly #scans: ScanService;
  readonly #batches: BatchRunner;
  readonly #redisTier: RedisCacheTier | undefined;
  readonly #quotaPersistence: QuotaPersistence | undefined;
  readonly #startedAt: number;
  readonly #counters = { lookups: 0, cacheHits: 0, staleServed: 0, upstreamCalls: 0, errors: 0, changes: 0, upstream429: 0, upstreamRetries: 0 };
  readonly #background = new Set<Promise<unknown>>();
  #closed = false;

  private constructor(parts: {
    config: GatewayConfig;
    clock: Clock;
    store: Store;
    cache: TieredCache;
    redisTier: RedisCacheTier | undefined;
    governor: Governor;
    simulator: MockServer | undefined;
  }) {
    this.config = parts.config;
    this.clock = parts.clock;
    this.mock = parts.config.mock;
    this.store = parts.store;
    this.cache = parts.cache;
    this.#redisTier = parts.redisTier;
    this.#governor = parts.governor;
    this.#simulator = parts.simulator;
    this.simulatorUrl = parts.simulator?.url;
    this.#startedAt = this.clock.now();

    const built = buildUpstreams(this.config, this.#governor, this.clock, this.simulatorUrl, (p, e) => this.#onSchedulerEvent(p, e));
    this.#upstreams = built.upstreams;
    this.#vt = built.vtClient;
    if (this.#governor instanceof MemoryGovernor) {
      const keys = [...this.#upstreams.values()].filter((u) => u.provider).map((u) => u.key);
      this.#quotaPersistence = new QuotaPersistence(this.#governor, this.store.kv, keys);
      this.#quotaPersistence.restore();
      this.#quotaPersistence.start();
    }

    this.#rotator = new CacheRotator({
      repository: this.store.cache,
      limits: { maxBytes: this.config.cache.maxBytes, maxAgeMs: this.config.cache.maxAgeMs, maxPerKind: this.config.cache.maxEntriesPerKind },
    });
    this.#rotator.start();
    const vtUpstream = this.#upstreams.get('virustotal') as Upstream;
    this.#reconciler = new QuotaReconciler({
      client: this.#vt,
      governor: this.#governor,
      key: vtUpstream.key,
      userId: this.mock ? 'me' : (this.config.virustotal.userId ?? this.config.virustotal.apiKey ?? 'me'),
      clock: this.clock,
      intervalMs: this.config.scheduler.reconcileIntervalMs,
      configuredLimits: this.config.virustotal.limits,
      limitsAreCaps: this.config.virustotal.limitsExplicit,
    });
    this.events.on('verdict.changed', () => {
      this.#counters.changes++;
    });
    this.#scans = new ScanService(this, this.#vt, vtUpstream, this.events);
    this.#batches = new BatchRunner(this, this.store.batches, this.events);
  }

  /** Opens the store, the cache tiers and the governor; starts the simulator when no key is configured. */
  static async open(options: GatewayOptions = {}): Promise<Gateway> {
    const config = options.config ?? loadConfig();
    const clock = options.clock ?? systemClock;
    const simulator = config.mock ? await startSimulator({ profile: config.mockProfile, clock }) : undefined;
    // Simulated verdicts must never be served as real ones: mock mode keeps its own data.
    const dataDir = config.mock ? join(config.dataDir, 'mock') : config.dataDir;
    let store: Store | undefined;
    try {
      store = Store.open({ dataDir, clock });
      const redisTier = config.redis ? await openRedisCacheTier({ url: config.redis.url, ttlMs: config.redis.cacheTtlMs, clock }) : undefined;
      const cache = new TieredCache({
        repository: store.cache,
        redis: redisTier ?? null,
        clock,
        memoryEntries: config.cache.memoryEntries,
        limits: { maxBytes: config.cache.maxBytes, maxAgeMs: config.cache.maxAgeMs, maxPerKind: config.cache.maxEntriesPerKind },
      });
      const governor: Governor = config.redis ? await openRedisGovernor({ redis: config.redis.url, clock }) : new MemoryGovernor({ clock });
      const gateway = new Gateway({ config: { ...config, dataDir }, clock, store, cache, redisTier, governor, simulator });
      gateway.#reconciler.start();
      return gateway;
    } catch (err) {
      store?.close();
      await simulator?.close();
      throw err;
    }
  }

  get tokens(): TokenRepository {
    return this.store.tokens;
  }

  get webhooks(): WebhookRepository {
    return this.store.webhooks;
  }

  // ---- lookups -------------------------------------------------------------------------------

  /** Looks up one indicator: cache first, then one upstream call shared by every concurrent caller. */
  async lookup(input: string | Indicator, options: LookupOptions = {}): Promise<LookupResult> {
    this.#assertOpen();
    const indicator = typeof input === 'string' ? parseIndicator(input) : input;
    const providerName = options.provider ?? 'virustotal';
    const up = this.#upstream(providerName, indicator.kind);
    this.#counters.lookups++;
    try {
      return await this.#lookup(up, indicator, options);
    } catch (err) {
      this.#counters.errors++;
      throw err;
    }
  }

  async #lookup(up: Upstream, indicator: Indicator, options: LookupOptions): Promise<LookupResult> {
    const cached = (await this.cache.get(up.name, indicator.kind, indicator.id)) as CacheLookupLike | undefined;
    if (cached?.fresh && (options.maxAgeMs === undefined || cached.ageMs <= options.maxAgeMs)) {
      this.#counters.cacheHits++;
      return this.#fromCache(indicator, cached, 'cache');
    }
    if (options.cacheOnly) {
      if (!cached) throw new NotCachedError(indicator.value);
      this.#counters.staleServed++;
      return this.#fromCache(indicator, cached, 'stale');
    }
    const allowStale = options.allowStale !== false && options.maxAgeMs !== 0;
    if (cached && allowStale && options.staleWhileRevalidate) {
      this.#refreshInBackground(up, indicator, options.tenant);
      this.#counters.staleServed++;
      return this.#fromCache(indicator, cached, 'stale');
    }
    if ((cached && allowStale) || options.waitForQuota === false) {
      const wait = await this.#governor.eta(up.key, 1);
      if (wait > this.config.cache.staleIfWaitMs) {
        if (cached && allowStale) {
          this.#refreshInBackground(up, indicator, options.tenant);
          this.#counters.staleServed++;
          return this.#fromCache(indicator, cached, 'stale');
        }
        const q = await this.#governor.summary(up.key);
        const hot = q.windows.filter((w) => w.remaining <= 0).map((w) => `${w.window} ${w.used}/${w.limit}`);
        throw new QuotaExhaustedError(up.name, wait, hot.length ? `${hot.join(', ')} used` : 'rate limit');
      }
    }
    const priority = options.priority ?? 'interactive';
    return guardedFetch({
      fetch: (signal) => this.#fetch(up, indicator, priority, { ...options, signal }),
      callerSignal: options.signal,
      failFastMs: options.waitForQuota === false ? Math.max(FAIL_FAST_MS, this.config.cache.staleIfWaitMs) : undefined,
      stale:
        cached && allowStale
          ? () => {
              this.#counters.staleServed++;
              return this.#fromCache(indicator, cached, 'stale');
            }
          : undefined,
      provider: up.name,
      summary: () => this.#governor.summary(up.key),
      now: () => this.clock.now(),
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
        this.#counters.upstreamCalls++;
        await recordUpstreamAnswer(r, {
          cache: this.cache,
          history: this.store.history,
          events: this.events,
          minDetectionDelta: this.config.history.minDetectionDelta,
        });
        return r;
      },
      { key: `${up.name}:${indicator.kind}:${indicator.id}`, priority, tenant: options.tenant, signal: options.signal, kind: 'lookup' },
    );
    if (ownCall) options.onUpstreamCall?.();
    return {
      indicator,
      provider: up.name,
      source: 'upstream',
      stale: false,
      ageMs: Math.max(0, this.clock.now() - report.fetchedAt),
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

  #fromCache(indicator: Indicator, found: CacheLookupLike, source: 'cache' | 'stale'): LookupResult {
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

  #upstream(name: ProviderName, kind: IndicatorKind): Upstream {
    const up = this.#upstreams.get(name);
    if (!up) throw new ProviderUnavailableError(`unknown provider "${name}"`);
    if (!up.provider) throw new ProviderUnavailableError(up.note ?? `${name} is not configured`);
    if (!up.provider.supports(kind)) throw new ProviderUnavailableError(`${name} does not look up ${kind} indicators`);
    return up;
  }

  /** Looks up many indicators; bad lines become error outcomes, never exceptions. */
  async lookupMany(inputs: string[], options: LookupManyOptions = {}): Promise<LookupOutcome[]> {
    const outcomes: LookupOutcome[] = new Array(inputs.length);
    const progress: LookupProgress = { total: inputs.length, done: 0, failed: 0, cached: 0, upstream: 0, stale: 0 };
    const window = Math.max(1, options.window ?? 256);
    let next = 0;
    const { onProgress, onResult, window: _w, ...lookupOptions } = options;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= inputs.length) return;
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
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, inputs.length) }, worker));
    return outcomes;
  }

  /** Dry-run cost of looking up `inputs`: what is cached, in flight, and how many calls it needs. */
  async estimate(inputs: ReadonlyArray<string | Indicator>, options: { provider?: ProviderName } = {}): Promise<Estimate> {
    const providerName = options.provider ?? 'virustotal';
    const up = this.#upstreams.get(providerName);
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
      const hit = await this.cache.get(providerName, ind.kind, ind.id);
      if (hit?.fresh) cached++;
      else if (up.scheduler.inFlight(key)) inFlight++;
      else upstream++;
    }
    const cost = await estimateCost({ total: seen.size, cached, inFlight, upstream }, this.#governor, up.key);
    return { provider: providerName, total: inputs.length, invalid, duplicates, cached, inFlight, upstream, quota: cost.quota, etaMs: cost.etaMs };
  }

  // ---- quota, history, cache admin ------------------------------------------------------------

  async quota(provider: ProviderName = 'virustotal'): Promise<QuotaView> {
    const up = this.#upstreams.get(provider);
    if (!up) throw new ProviderUnavailableError(`unknown provider "${provider}"`);
    const summary = await this.#governor.summary(up.key);
    return { ...summary, provider, mock: this.mock };
  }

  async providers(): Promise<ProviderStatus[]> {
    const out: ProviderStatus[] = [];
    for (const up of this.#upstreams.values()) {
      out.push({ name: up.name, enabled: !!up.provider, ...(up.note && !up.provider ? { note: up.note } : {}), ...(up.provider ? { quota: await this.#governor.summary(up.key) } : {}) });
    }
    return out;
  }

  async history(input: string, options: { provider?: ProviderName; limit?: number } = {}): Promise<HistoryView> {
    const indicator = parseIndicator(input);
    const provider = options.provider ?? 'virustotal';
    const limit = options.limit ?? 100;
    return {
      indicator,
      provider,
      observations: this.store.history.series(provider, indicator.kind, indicator.id, { limit }),
      changes: this.store.history.changes({ limit, id: indicator.id }),
    };
  }

  recentHistory(options: { limit?: number; since?: number } = {}): Observation[] {
    return this.store.history.recent({ limit: options.limit ?? 50, since: options.since });
  }

  changes(options: { limit?: number; since?: number } = {}): Change[] {
    return this.store.history.changes({ limit: options.limit ?? 50, since: options.since });
  }

  cacheInfo(): TieredCacheInfo {
    return this.cache.info();
  }

  cacheList(query: CacheListQuery): CacheListPage {
    return this.cache.list(query);
  }

  /** Removes cache entries: all, by kind or provider, or one indicator. Returns how many. */
  async cacheClear(filter: { input?: string; kind?: IndicatorKind; provider?: ProviderName } = {}): Promise<number> {
    const ind = filter.input !== undefined ? parseIndicator(filter.input, { allowPrivate: true }) : undefined;
    return this.cache.delete({
      ...(filter.provider ? { provider: filter.provider } : {}),
      ...(ind ? { kind: ind.kind, id: ind.id } : filter.kind ? { kind: filter.kind } : {}),
    });
  }

  cachePrune(): Promise<PruneResult> {
    return this.#rotator.runOnce();
  }

  // ---- scans and analyses ---------------------------------------------------------------------

  scanFile(path: string, options: ScanFileOptions = {}): Promise<ScanResult> {
    this.#assertOpen();
    return this.#scans.scanFile(path, options);
  }

  scanUrl(url: string, options: { priority?: Priority; tenant?: string; signal?: AbortSignal } = {}): Promise<ScanResult> {
    this.#assertOpen();
    return this.#scans.scanUrl(url, options);
  }

  /** Rescans a file (by hash) or a URL; `kind: 'url'` reads a 64-hex input as a URL id rather than a sha256. */
  rescan(input: string, options: { kind?: 'file' | 'url'; priority?: Priority; tenant?: string; signal?: AbortSignal } = {}): Promise<ScanResult> {
    this.#assertOpen();
    return this.#scans.rescan(input, options);
  }

  analysis(id: string, options: { waitMs?: number; signal?: AbortSignal } = {}): Promise<AnalysisView> {
    this.#assertOpen();
    return this.#scans.analysis(id, options);
  }

  analysisItem(id: string): Promise<LookupResult> {
    this.#assertOpen();
    return this.#scans.analysisItem(id);
  }

  /** Raw VirusTotal call for the VT-compatible surface (collections, relationships): through the scheduler. */
  async vtRaw(
    method: 'GET' | 'POST',
    path: string,
    init: Parameters<VirusTotalClient['raw']>[2] = {},
    options: { priority?: Priority; tenant?: string; signal?: AbortSignal } = {},
  ): Promise<{ status: number; body: unknown }> {
    const up = this.#upstreams.get('virustotal') as Upstream;
    const scheduler = up.scheduler;
    if (!scheduler) throw new ProviderUnavailableError('VirusTotal is not configured');
    const answer = await scheduler.run(({ permit, signal }) => this.#vt.raw(method, path, init, { permit, signal }), {
      priority: options.priority ?? 'interactive',
      tenant: options.tenant,
      signal: options.signal,
      kind: 'other',
      ...(method === 'GET' ? { key: `virustotal:raw:${path}:${JSON.stringify(init.query ?? {})}` } : {}),
    });
    this.#counters.upstreamCalls++;
    return { status: answer.status, body: answer.body };
  }

  // ---- batches --------------------------------------------------------------------------------

  createBatch(inputs: string[], options: BatchCreateOptions = {}): BatchJob {
    this.#assertOpen();
    return this.#batches.create(inputs, options);
  }

  runBatch(id: string, options: { signal?: AbortSignal; onProgress?: (job: BatchJob) => void } = {}): Promise<BatchJob> {
    this.#assertOpen();
    return this.#batches.run(id, options);
  }

  /** Starts every unfinished batch in the background (the service calls this on start). */
  resumeBatches(): void {
    this.#batches.resumeAll();
  }

  batch(id: string): BatchView | undefined {
    return this.#batches.view(id);
  }

  listBatches(query: { owner?: string | null; limit?: number } = {}): BatchJob[] {
    return this.store.batches.list(query);
  }

  batchResults(id: string, options: { afterSeq?: number; finishedOnly?: boolean } = {}): Iterable<BatchItem> {
    return this.store.batches.results(id, options);
  }

  cancelBatch(id: string): boolean {
    return this.#batches.cancel(id);
  }

  // ---- enrichment -----------------------------------------------------------------------------

  enrich(input: string, options: EnrichOptions = {}): Promise<EnrichResult> {
    this.#assertOpen();
    return enrichIndicator(this, input, options);
  }

  /** Providers that are configured and can look up `kind`. */
  providersFor(kind: IndicatorKind): ProviderName[] {
    return [...this.#upstreams.values()].filter((u) => u.provider?.supports(kind)).map((u) => u.name);
  }

  /** Why a provider is not available, when it is not. */
  providerNote(name: ProviderName): string | undefined {
    const up = this.#upstreams.get(name);
    return up?.provider ? undefined : up?.note;
  }

  // ---- operations -----------------------------------------------------------------------------

  stats(): GatewayStats {
    const queueDepth = {} as GatewayStats['queueDepth'];
    let joins = 0;
    for (const up of this.#upstreams.values()) {
      if (!up.scheduler) continue;
      queueDepth[up.name] = up.scheduler.depth();
      joins += up.scheduler.stats().joined;
    }
    const c = this.#counters;
    const answered = c.cacheHits + c.staleServed;
    return {
      startedAt: this.#startedAt,
      uptimeMs: this.clock.now() - this.#startedAt,
      mock: this.mock,
      lookups: c.lookups,
      cacheHits: c.cacheHits,
      staleServed: c.staleServed,
      upstreamCalls: c.upstreamCalls,
      upstreamCallsSaved: answered + joins,
      singleFlightJoins: joins,
      errors: c.errors,
      hitRatio: c.lookups > 0 ? answered / c.lookups : 0,
      queueDepth,
      cache: this.cache.stats(),
      changes: c.changes,
      upstream429: c.upstream429,
      upstreamRetries: c.upstreamRetries,
    };
  }

  async health(): Promise<Health> {
    let store: 'ok' | 'error' = 'ok';
    try {
      this.store.cache.info();
    } catch {
      store = 'error';
    }
    const redis = this.#redisTier ? this.#redisTier.state() : 'disabled';
    const providers = await this.providers();
    const vt = providers.find((p) => p.name === 'virustotal');
    return {
      status: store === 'ok' && redis !== 'down' && vt?.quota?.keyHealthy !== false ? 'ok' : 'degraded',
      mock: this.mock,
      keyConfigured: !this.mock,
      upstreamReachable: this.#reconciler.reachable,
      store,
      redis,
      providers,
      version: this.version,
      uptimeMs: this.clock.now() - this.#startedAt,
    };
  }

  /** Finishes background work, stops timers and closes the store, Redis and the simulator. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reconciler.stop();
    await this.#batches.stop();
    for (const up of this.#upstreams.values()) await up.scheduler?.close();
    await Promise.allSettled([...this.#background]);
    await this.#rotator.stop();
    this.#quotaPersistence?.stop();
    await this.cache.close();
    await this.#governor.close();
    await this.#vt.close();
    this.store.close();
    await this.#simulator?.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the gateway is closed');
  }

  #onSchedulerEvent(provider: ProviderName, e: SchedulerEvent): void {
    if (e.type === 'requeue' || (e.type === 'retry' && /TooManyRequests|429/.test(e.error))) this.#counters.upstream429++;
    if (e.type === 'retry') this.#counters.upstreamRetries++;
    if (provider === 'virustotal' && (e.type === 'pause' || e.type === 'requeue')) this.#reconciler.soon();
  }
}
