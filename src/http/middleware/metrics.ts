/**
 * Prometheus metrics on a Registry of our own. Request counts and durations are kept as requests pass
 * (in RequestMetrics: prom-client's per-call label hashing is too slow for the hot path); the gateway's
 * state (quota, cache, queues, batches) is read at scrape time, so a scrape always shows now.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Gateway } from '../../gateway/index.js';
import type { ProviderName } from '../../providers/types.js';
import type { AttemptOutcome } from '../../webhooks/index.js';
import { RequestMetrics } from './request-metrics.js';

type GatewayView = Pick<Gateway, 'stats' | 'quota' | 'providers' | 'listBatches' | 'mock' | 'forecast' | 'harvest'> & Partial<Pick<Gateway, 'health'>>;

export class HttpMetrics {
  readonly registry = new Registry();
  readonly #requests = new RequestMetrics(
    {
      count: 'vtg_http_requests_total',
      countHelp: 'HTTP requests answered',
      duration: 'vtg_http_request_duration_seconds',
      durationHelp: 'HTTP request duration',
    },
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
  );
  readonly #rejections: Counter<'code'>;
  /** Refusals by code (our own constants, or statuses: a small, fixed set). */
  readonly #rejectionCounts = new Map<string, number>();
  readonly #webhooks: Counter<'outcome'>;
  readonly #quotaUsed: Gauge<'provider' | 'window'>;
  readonly #quotaLimit: Gauge<'provider' | 'window'>;
  readonly #gatewayCounters: Record<string, Counter<string>>;
  readonly #cacheHits: Counter<'tier'>;
  readonly #queueDepth: Gauge<'provider' | 'priority'>;
  readonly #batchJobs: Gauge<'status'>;
  readonly #batchItems: Gauge<'state'>;
  readonly #mock: Gauge;
  readonly #forecast: Gauge<'window'>;
  readonly #harvest: Gauge<'what'>;
  /** A key pool's members by label (never the key): used/limit per window and whether each is in rotation. */
  readonly #poolKeys: { used: Gauge<'provider' | 'key' | 'window'>; limit: Gauge<'provider' | 'key' | 'window'>; healthy: Gauge<'provider' | 'key'>; refusals: Counter<'provider' | 'key'> };
  readonly #health: { status: Gauge<'provider'>; keyHealthy: Gauge<'provider'>; store: Gauge; redis: Gauge; degraded: Gauge };

  constructor() {
    const registers = [this.registry];
    this.#rejections = new Counter({ name: 'vtg_http_rejections_total', help: 'Requests refused for quota, budget, queue or load (429/503)', labelNames: ['code'], registers });
    this.#webhooks = new Counter({ name: 'vtg_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers });
    this.#quotaUsed = new Gauge({ name: 'vtg_quota_used', help: 'Upstream calls counted in the current quota window', labelNames: ['provider', 'window'], registers });
    this.#quotaLimit = new Gauge({ name: 'vtg_quota_limit', help: 'Upstream calls allowed in the quota window', labelNames: ['provider', 'window'], registers });
    this.#poolKeys = {
      used: new Gauge({ name: 'vtg_pool_key_quota_used', help: 'Upstream calls counted in the window, per key of a key pool (by label)', labelNames: ['provider', 'key', 'window'], registers }),
      limit: new Gauge({ name: 'vtg_pool_key_quota_limit', help: 'Upstream calls allowed in the window, per key of a key pool (by label)', labelNames: ['provider', 'key', 'window'], registers }),
      healthy: new Gauge({ name: 'vtg_pool_key_healthy', help: '1 while a key of the pool is in rotation, 0 once the upstream refused it (401: revoked)', labelNames: ['provider', 'key'], registers }),
      refusals: new Counter({ name: 'vtg_upstream_key_refusals_total', help: 'Times a key was taken out of rotation after the upstream refused it (401), by key label', labelNames: ['provider', 'key'], registers }),
    };
    const counter = (name: string, help: string) => new Counter({ name, help, registers });
    this.#gatewayCounters = {
      lookups: counter('vtg_lookups_total', 'Lookups asked of the gateway'),
      upstreamCalls: counter('vtg_upstream_calls_total', 'Calls made to upstream APIs'),
      upstreamCallsSaved: counter('vtg_upstream_calls_saved_total', 'Lookups answered without an upstream call of their own'),
      singleFlightJoins: counter('vtg_single_flight_joins_total', 'Lookups that joined an identical call already in flight'),
      staleServed: counter('vtg_stale_served_total', 'Expired cache entries served'),
      misses: counter('vtg_cache_misses_total', 'Cache lookups without a fresh entry'),
      errors: counter('vtg_lookup_errors_total', 'Lookups that failed'),
      changes: counter('vtg_history_changes_total', 'Verdict changes detected'),
      upstream429: counter('vtg_upstream_429_total', 'HTTP 429 answers received from upstream APIs (each paused the key or backed off)'),
      upstreamRetries: counter('vtg_upstream_retries_total', 'Upstream calls retried after a transient failure'),
    };
    this.#cacheHits = new Counter({ name: 'vtg_cache_hits_total', help: 'Cache hits by tier', labelNames: ['tier'], registers });
    this.#queueDepth = new Gauge({ name: 'vtg_queue_depth', help: 'Upstream tasks waiting, by priority', labelNames: ['provider', 'priority'], registers });
    this.#batchJobs = new Gauge({ name: 'vtg_batch_jobs', help: 'Batch jobs by status (latest 500)', labelNames: ['status'], registers });
    this.#batchItems = new Gauge({ name: 'vtg_batch_items', help: 'Items of queued and running batches', labelNames: ['state'], registers });
    this.#mock = new Gauge({ name: 'vtg_mock_mode', help: '1 when the gateway runs on its built-in simulator', registers });
    this.#forecast = new Gauge({ name: 'vtg_quota_forecast_left_at_reset', help: 'VirusTotal calls left when the window resets, at the current pace', labelNames: ['window'], registers });
    this.#harvest = new Gauge({
      name: 'vtg_harvest',
      help: 'Harvest since start: calls (harvested upstream calls), changes (verdict changes found), yield (changes per harvested call)',
      labelNames: ['what'],
      registers,
    });
    this.#health = {
      status: new Gauge({ name: 'vtg_quota_status', help: 'Quota status per provider: 0 healthy, 1 warning, 2 critical', labelNames: ['provider'], registers }),
      keyHealthy: new Gauge({ name: 'vtg_upstream_key_healthy', help: '1 while the upstream key answers, 0 after it was refused (401/403) or is paused', labelNames: ['provider'], registers }),
      store: new Gauge({ name: 'vtg_store_up', help: '1 when the SQLite store answers', registers }),
      redis: new Gauge({ name: 'vtg_redis_up', help: '1 when Redis is ready, 0 when it is down (absent when Redis is not configured)', registers }),
      degraded: new Gauge({ name: 'vtg_health_degraded', help: '1 when /api/health says degraded', registers }),
    };
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.#requests.observe(method, route, status, seconds);
  }

  rejection(code: string): void {
    // counted in a plain map and copied into the counter at scrape time: a flood of refusals pays no
    // label hashing (prom-client hashes the label set on every inc, a bound child too)
    this.#rejectionCounts.set(code, (this.#rejectionCounts.get(code) ?? 0) + 1);
  }

  /** The upstream refused a key (by label). */
  keyRefused(provider: string, key: string): void {
    this.#poolKeys.refusals.inc({ provider, key });
  }

  webhook(outcome: AttemptOutcome): void {
    this.#webhooks.inc({ outcome });
  }

  /** Reads the gateway's state into the gauges and counters, then renders the exposition text. */
  async render(gateway: GatewayView): Promise<string> {
    const stats = gateway.stats();
    const set = (c: Counter<string>, v: number) => {
      c.reset();
      if (v > 0) c.inc(v);
    };
    const g = this.#gatewayCounters;
    set(g.lookups as Counter<string>, stats.lookups);
    set(g.upstreamCalls as Counter<string>, stats.upstreamCalls);
    set(g.upstreamCallsSaved as Counter<string>, stats.upstreamCallsSaved);
    set(g.singleFlightJoins as Counter<string>, stats.singleFlightJoins);
    set(g.staleServed as Counter<string>, stats.staleServed);
    set(g.misses as Counter<string>, stats.cache.misses);
    set(g.errors as Counter<string>, stats.errors);
    set(g.changes as Counter<string>, stats.changes);
    set(g.upstream429 as Counter<string>, stats.upstream429);
    set(g.upstreamRetries as Counter<string>, stats.upstreamRetries);
    this.#rejections.reset();
    for (const [code, n] of this.#rejectionCounts) this.#rejections.inc({ code }, n);
    this.#cacheHits.reset();
    for (const [tier, n] of Object.entries(stats.cache.hits)) this.#cacheHits.inc({ tier }, n);
    this.#queueDepth.reset();
    for (const [provider, byPriority] of Object.entries(stats.queueDepth)) {
      for (const [priority, n] of Object.entries(byPriority ?? {})) this.#queueDepth.set({ provider, priority }, n);
    }
    this.#quotaUsed.reset();
    this.#quotaLimit.reset();
    const pk = this.#poolKeys;
    pk.used.reset();
    pk.limit.reset();
    pk.healthy.reset();
    for (const p of await gateway.providers()) {
      if (!p.quota) continue;
      for (const w of p.quota.windows) {
        this.#quotaUsed.set({ provider: p.name as ProviderName, window: w.window }, w.used);
        this.#quotaLimit.set({ provider: p.name, window: w.window }, w.limit);
      }
      for (const k of p.quota.keys ?? []) {
        pk.healthy.set({ provider: p.name, key: k.label }, k.revoked ? 0 : 1);
        for (const w of k.windows) {
          pk.used.set({ provider: p.name, key: k.label, window: w.window }, w.used);
          pk.limit.set({ provider: p.name, key: k.label, window: w.window }, w.limit);
        }
      }
    }
    this.#batchJobs.reset();
    this.#batchItems.reset();
    const totals = { total: 0, done: 0, failed: 0 };
    for (const job of await gateway.listBatches({ limit: 500 })) {
      this.#batchJobs.inc({ status: job.status });
      if (job.status === 'queued' || job.status === 'running') {
        totals.total += job.total;
        totals.done += job.done;
        totals.failed += job.failed;
      }
    }
    for (const [state, n] of Object.entries(totals)) this.#batchItems.set({ state }, n);
    this.#mock.set(gateway.mock ? 1 : 0);
    this.#forecast.reset();
    for (const w of (await gateway.forecast().catch(() => undefined))?.windows ?? []) this.#forecast.set({ window: w.window }, w.leftAtReset);
    const h = gateway.harvest.counters;
    this.#harvest.set({ what: 'calls' }, h.calls);
    this.#harvest.set({ what: 'changes' }, h.changes);
    this.#harvest.set({ what: 'yield' }, h.calls > 0 ? h.changes / h.calls : 0);
    const health = this.#health;
    health.status.reset();
    health.keyHealthy.reset();
    for (const p of await gateway.providers()) {
      if (!p.quota) continue;
      health.status.set({ provider: p.name }, p.quota.status === 'critical' ? 2 : p.quota.status === 'warning' ? 1 : 0);
      health.keyHealthy.set({ provider: p.name }, p.quota.keyHealthy === false ? 0 : 1);
    }
    if (gateway.health) {
      const h = await gateway.health();
      health.store.set(h.store === 'ok' ? 1 : 0);
      health.redis.reset();
      if (h.redis !== 'disabled') health.redis.set(h.redis === 'ready' ? 1 : 0);
      health.degraded.set(h.status === 'degraded' ? 1 : 0);
    }
    return `${this.#requests.render()}\n${await this.registry.metrics()}`;
  }
}
