/**
 * Composition in one place: opens the store, cache tiers, governor and upstreams, builds the services
 * (lookups, scans, batches, tokens with budgets, webhooks) with one-way dependencies, and starts the
 * background work (webhook dispatcher, batch resume, quota reconciliation, cache rotation).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type CacheChange, CacheRotator, openRedisCacheTier, type RedisCacheTier, TieredCache } from '../cache/index.js';
import { type Clock, systemClock } from '../clock/index.js';
import { ensureDir, VERSION } from '../common/index.js';
import { type GatewayConfig, loadConfig } from '../config/index.js';
import { type Governor, MemoryGovernor, openRedisGovernor, PooledGovernor } from '../governor/index.js';
import type { ProviderName } from '../providers/types.js';
import type { SchedulerEvent } from '../scheduler/index.js';
import { Store } from '../store/index.js';
import type { WebhookDispatcher, WebhookDispatcherOptions } from '../webhooks/index.js';
import { TokenService, WebhookService } from './accounts.js';
import { BatchRunner } from './batches.js';
import type { Cluster } from './cluster/index.js';
import { type BatchCompletedEvent, GatewayEventBus } from './events.js';
import { DailyStats } from './daily-stats.js';
import { LookupService } from './lookups.js';
import { countingGovernor, UsageHistory } from './forecast.js';
import { HarvestService } from './harvest.js';
import { recentSightings } from './harvest-recent.js';
import { HarvestScheduler } from './harvest-schedule.js';
import { QuotaPersistence } from './quota-persistence.js';
import { vtPoolKeys } from './key-pool.js';
import { QuotaReconciler, QuotaReconcilers } from './reconcile.js';
import { ScanService } from './scans.js';
import { type Upstream, Upstreams } from './upstreams.js';
import { WatchlistService } from './watchlists.js';

export interface GatewayOptions {
  /** Default: `loadConfig()` (env and config file). */
  config?: GatewayConfig;
  clock?: Clock;
  /**
   * Background work (default true): the webhook dispatcher, resuming unfinished batches, charging
   * finished batches to their owners' budgets. Quota reconciliation and cache rotation always run,
   * except in cluster mode (Redis), where the instance holding the `background` role runs them.
   * Turn it off for one-shot processes (the CLI does, except `vtg serve`).
   */
  background?: boolean;
  /** Webhook delivery tuning (retry schedule, timeouts, DNS resolver for tests). */
  webhooks?: Omit<WebhookDispatcherOptions, 'clock' | 'logger' | 'onAttempt'>;
  /** Where background work logs (webhook attempts). Default: silent. */
  logger?: Logger;
}

/** Every part of an open gateway; only `Gateway` (the facade) holds one. */
export class Runtime {
  readonly counters = { changes: 0, upstream429: 0, upstreamRetries: 0 };
  readonly events = new GatewayEventBus();
  readonly startedAt: number;
  readonly lookups: LookupService;
  readonly scans: ScanService;
  readonly batches: BatchRunner;
  readonly tokens: TokenService;
  readonly webhooks: WebhookService;
  readonly watchlists: WatchlistService;
  readonly harvest: HarvestService;
  /** Today's figures (UTC day), kept in the store across restarts. */
  readonly daily: DailyStats;
  readonly harvestScheduler: HarvestScheduler;
  /** Upstream calls per hour per key (90 days): the pace the forecast uses. */
  readonly usage: UsageHistory;
  readonly rotator: CacheRotator;
  /** One reconciler per VirusTotal key (each key reads its own counters). */
  readonly reconciler: QuotaReconcilers;
  /** The governor as the services see it: a key pool of several keys also answers under its own name. */
  readonly governor: Governor;
  /** Schedulers now; provider clients and the simulator (mock mode) on the first upstream call. */
  readonly upstreams: Upstreams;
  readonly #quotaPersistence: QuotaPersistence | undefined;
  #dispatcher: WebhookDispatcher | undefined;
  #chargeBatch: ((e: BatchCompletedEvent) => void) | undefined;
  #takeover: NodeJS.Timeout | undefined;

  constructor(
    readonly config: GatewayConfig,
    readonly clock: Clock,
    readonly store: Store,
    readonly cache: TieredCache,
    readonly redisTier: RedisCacheTier | undefined,
    inner: Governor,
    readonly cluster?: Cluster,
  ) {
    this.startedAt = clock.now();
    this.usage = new UsageHistory(clock, { hours: store.usage, legacy: store.kv });
    const upstreams = new Upstreams(config, countingGovernor(inner, this.usage), clock, (p, e) => this.#onSchedulerEvent(p, e));
    this.upstreams = upstreams;
    const pools = upstreams.pools();
    const governor = pools.size > 0 ? new PooledGovernor(inner, pools) : inner;
    this.governor = governor;
    const vtClient = () => upstreams.clients().then((c) => c.vt);
    if (inner instanceof MemoryGovernor) {
      const keys = [...upstreams.values()].filter((u) => u.scheduler).flatMap((u) => u.members?.map((m) => m.key) ?? [u.key]);
      this.#quotaPersistence = new QuotaPersistence(inner, store.kv, keys);
    }
    this.rotator = new CacheRotator({
      repository: store.cache,
      limits: { maxBytes: config.cache.maxBytes, maxAgeMs: config.cache.maxAgeMs, maxPerKind: config.cache.maxEntriesPerKind },
    });
    // in a cluster, one instance rotates and reconciles for all (the `background` role)
    if (!cluster) this.rotator.start();
    const vtUpstream = upstreams.get('virustotal') as Upstream;
    const vtKeys = vtPoolKeys(config);
    const pooled = vtKeys.length > 1;
    this.reconciler = new QuotaReconcilers(
      vtKeys.map(
        (k, i) =>
          new QuotaReconciler({
            client: vtClient,
            governor,
            key: vtUpstream.members?.[i]?.key ?? vtUpstream.key,
            // a pool's keys each read their own counters (VirusTotal takes the key as the user id)
            userId: config.mock ? 'me' : pooled ? k.apiKey : (config.virustotal.userId ?? k.apiKey),
            ...(pooled ? { viaKey: vtUpstream.members?.[i]?.key as string } : {}),
            clock,
            intervalMs: config.scheduler.reconcileIntervalMs,
            configuredLimits: k.limits,
            limitsAreCaps: k.limitsExplicit,
          }),
      ),
    );
    this.events.on('verdict.changed', () => {
      this.counters.changes++;
    });
    this.watchlists = new WatchlistService(store.watchlists, store.search, () => clock.now());
    this.lookups = new LookupService({
      config,
      clock,
      cache,
      history: store.history,
      watchlistsOf: (kind, id) => store.watchlists.namesOf(kind, id),
      events: this.events,
      governor,
      upstreams,
      ...(cluster ? { flights: cluster.flights } : {}),
    });
    this.scans = new ScanService(this.lookups, vtClient, vtUpstream, this.events, config.scheduler.analysisPollMs, config.mock);
    this.batches = new BatchRunner(this.lookups, store.batches, this.events, cluster);
    this.tokens = new TokenService(store.tokens, clock, store.sessions);
    this.webhooks = new WebhookService(store.webhooks);
    this.harvest = new HarvestService({
      clock,
      lookups: this.lookups,
      watchlists: this.watchlists,
      cache,
      history: store.history,
      events: this.events,
      recent: recentSightings(store.search, store.batches),
    });
    this.harvestScheduler = new HarvestScheduler({ config, clock, governor, usage: this.usage, lookups: this.lookups, harvest: this.harvest });
    this.daily = new DailyStats(store.daily, clock, () => {
      const c = this.lookups.counters;
      const { joins } = this.lookups.schedulerStats();
      return { lookups: c.lookups, cacheHits: c.cacheHits, staleServed: c.staleServed, upstreamCalls: c.upstreamCalls, singleFlightJoins: joins, errors: c.errors, upstream429: this.counters.upstream429, changes: this.counters.changes };
    });
  }

  /** Reads the saved usage history and quota counts, then starts saving them. */
  async restore(): Promise<void> {
    await this.usage.load();
    await this.#quotaPersistence?.restore();
    this.#quotaPersistence?.start();
  }

  /** Starts the webhook dispatcher, charges finished batches to their owners and resumes unfinished batches. */
  async startBackground(options: Pick<GatewayOptions, 'webhooks' | 'logger'>): Promise<void> {
    if (this.#dispatcher) return;
    // loaded only here: one-shot CLI commands (background off) never load the webhook stack
    const { WebhookDispatcher } = await import('../webhooks/index.js');
    if (this.#dispatcher) return;
    this.#dispatcher = new WebhookDispatcher(
      { events: this.events, webhooks: this.store.webhooks, tokens: this.tokens, allowlist: this.config.server.webhookAllowlist, version: VERSION },
      {
        ...options.webhooks,
        clock: this.clock,
        ...(options.logger ? { logger: options.logger.child({ component: 'webhooks' }) } : {}),
        onAttempt: (outcome) => this.events.emit('webhook.attempt', outcome),
      },
    );
    this.#dispatcher.start();
    // a batch's upstream calls count against its owner's daily budget once it completes
    this.#chargeBatch = (e: BatchCompletedEvent) => {
      void this.batches
        .job(e.batchId)
        .then(async (job) => {
          const calls = job?.upstreamCalls ?? 0;
          if (e.owner && calls > 0) await this.tokens.spend(e.owner, calls);
        })
        .catch(() => {});
    };
    this.events.on('batch.completed', this.#chargeBatch);
    await this.batches.resumeAll();
    this.daily.start();
    const cluster = this.cluster;
    if (!cluster) {
      this.harvestScheduler.start();
      return;
    }
    // batches whose instance died are taken over once their lease expires
    this.#takeover = setInterval(() => void this.batches.resumeAll().catch(() => undefined), Math.max(250, Math.floor(cluster.leaseMs / 2)));
    this.#takeover.unref();
    cluster.role('background', {
      start: () => {
        this.rotator.start();
        this.reconciler.start();
        this.harvestScheduler.start();
      },
      stop: async () => {
        this.reconciler.stop();
        await this.harvestScheduler.stop();
        await this.rotator.stop();
      },
    });
  }

  /** This instance's counters, as the cluster's heartbeat publishes them. */
  clusterCounters(): Record<string, number> {
    const c = this.lookups.counters;
    const flights = this.cluster?.flights.stats;
    return {
      lookups: c.lookups,
      cacheHits: c.cacheHits,
      staleServed: c.staleServed,
      upstreamCalls: c.upstreamCalls,
      errors: c.errors,
      singleFlightJoins: this.lookups.schedulerStats().joins,
      clusterJoins: flights?.joined ?? 0,
      upstream429: this.counters.upstream429,
      upstreamRetries: this.counters.upstreamRetries,
      changes: this.counters.changes,
    };
  }

  async close(): Promise<void> {
    clearInterval(this.#takeover);
    this.reconciler.stop();
    await this.harvestScheduler.stop();
    await this.batches.stop();
    await this.#dispatcher?.stop();
    if (this.#chargeBatch) this.events.off('batch.completed', this.#chargeBatch);
    await this.lookups.close();
    await this.cluster?.close();
    await this.daily.stop();
    await this.rotator.stop();
    await this.#quotaPersistence?.stop();
    await this.usage.save();
    await this.cache.close();
    // the cache leaves its Redis tier to its owner: without this, `vtg serve --redis` never exited on SIGTERM
    await this.redisTier?.close();
    await this.governor.close();
    await this.upstreams.close();
    await this.store.close();
  }

  #onSchedulerEvent(provider: ProviderName, e: SchedulerEvent): void {
    if (e.type === 'requeue' || (e.type === 'retry' && /TooManyRequests|429/.test(e.error)) || (e.type === 'pause' && /429|Quota|TooMany/i.test(e.reason))) {
      if (e.type !== 'pause') this.counters.upstream429++;
      this.harvestScheduler?.onRateLimited();
    }
    if (e.type === 'retry') {
      this.counters.upstreamRetries++;
      this.events.emit('upstream.retry', { provider, attempt: e.attempt, delayMs: e.delayMs, error: e.error });
    }
    if (provider === 'virustotal' && (e.type === 'pause' || e.type === 'requeue')) this.reconciler.soon();
    if (e.type === 'key_unhealthy') {
      this.events.emit('upstream.key_refused', { provider, key: e.label ?? e.upstreamKey ?? provider, error: e.error, retried: e.retried === true });
    }
  }
}

/** Opens the store, the cache tiers and the governor (the upstream clients, and the simulator in mock mode, load on first use). */
export async function openRuntime(options: GatewayOptions = {}): Promise<Runtime> {
  const config = options.config ?? loadConfig();
  const clock = options.clock ?? systemClock;
  // Simulated verdicts must never be served as real ones: mock mode keeps its own answers.
  const dataDir = config.mock ? join(config.dataDir, 'mock') : config.dataDir;
  let store: Store | undefined;
  let cluster: Cluster | undefined;
  let runtime: Runtime | undefined;
  try {
    // made here one level at a time: node's recursive mkdir spins forever under /proc (`--data-dir /proc/x`)
    ensureDir(dataDir);
    // the operator's state (tokens, webhooks, batches, settings) is one store whatever the mode
    store = await Store.open({ dataDir, clock, ...(config.mock ? { operatorDir: config.dataDir } : {}), ...(config.database ? { databaseUrl: config.database.url, writeQueueLimit: config.database.queueLimit } : {}) });
    // loaded only with Redis: a one-shot command without it never loads the Redis client
    cluster = config.redis
      ? await (await import('./cluster/index.js')).Cluster.open({
          url: config.redis.url,
          instanceId: config.cluster.instanceId,
          leaseMs: config.cluster.leaseMs,
          startedAt: clock.now(),
          counters: () => runtime?.clusterCounters() ?? {},
          announce: options.background !== false,
        })
      : undefined;
    const redisTier = config.redis ? await openRedisCacheTier({ url: config.redis.url, ttlMs: config.redis.cacheTtlMs, clock }) : undefined;
    const cache = new TieredCache({
      repository: store.cache,
      redis: redisTier ?? null,
      clock,
      memoryEntries: config.cache.memoryEntries,
      limits: { maxBytes: config.cache.maxBytes, maxAgeMs: config.cache.maxAgeMs, maxPerKind: config.cache.maxEntriesPerKind },
      ...(cluster ? { onChange: (change: CacheChange) => cluster?.publishCacheChange(change) } : {}),
    });
    cluster?.onCacheChange((change) => cache.dropLocal(change));
    const share = cluster ? () => cluster?.share ?? 0.5 : undefined;
    const governor: Governor = config.redis ? await openRedisGovernor({ redis: config.redis.url, clock, ...(share ? { localShare: share } : {}) }) : new MemoryGovernor({ clock });
    runtime = new Runtime({ ...config, dataDir }, clock, store, cache, redisTier, governor, cluster);
    await runtime.restore();
  } catch (err) {
    await cluster?.close();
    await store?.close();
    throw err;
  }
  try {
    await runtime.daily.load();
  } catch (err) {
    await runtime.close();
    throw err;
  }
  // in a cluster, the instance holding the `background` role reconciles for all
  const reconcile = !runtime.cluster;
  // a one-shot command loads the upstream clients (and reconciles) only once it calls upstream
  if (options.background === false) {
    if (reconcile) runtime.upstreams.onLoad(() => runtime.reconciler.start());
  } else {
    try {
      await runtime.upstreams.clients();
      if (reconcile) runtime.reconciler.start();
      await runtime.startBackground(options);
    } catch (err) {
      await runtime.close();
      throw err;
    }
  }
  return runtime;
}
