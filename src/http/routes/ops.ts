/** Health, metrics, quota, stats and cache administration. */
import { z } from 'zod';
import { clusterMetricsText } from '../cluster-metrics.js';
import { type RouteDef, route } from '../route.js';
import { boolish, indicatorKind, limitParam, priority, providerName } from '../schemas.js';

export const opsRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/health',
    summary: 'Health: 200 whenever the process can serve; `status` says ok or degraded, `mock` says simulator mode, `instance` names this instance, `cluster` the state of Redis and the live instances',
    tag: 'operations',
    access: 'health',
    handler: async ({ c, deps }) => {
      const health = await deps.gateway.health();
      // a refused upstream key is no degradation: nothing but the cache can be answered until it is fixed
      const refused = health.providers.some((p) => p.name === 'virustotal' && p.quota?.keyHealthy === false);
      return c.json(refused ? { ...health, status: 'unhealthy' } : health);
    },
  }),
  route({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: this instance\'s, then `vtg_cluster_*` summed over the live instances in cluster mode',
    tag: 'operations',
    access: 'health',
    produces: 'text/plain; version=0.0.4',
    handler: async ({ c, deps }) => {
      const text = (await deps.metrics.render(deps.gateway)) + clusterMetricsText(deps.gateway.stats());
      return c.body(text, 200, { 'content-type': deps.metrics.registry.contentType });
    },
  }),
  route({
    method: 'get',
    path: '/api/quota',
    summary:
      "The gateway's view of an upstream key's quota (windows, status, recommended backoff); with `calls`, also `etaMs`: the governor's time until that many more calls at `priority` (default batch) could all be granted, with the interactive reserve and every window (null: never, e.g. a refused key)",
    tag: 'operations',
    access: 'reader',
    query: z.object({
      provider: providerName.optional(),
      calls: z.coerce.number().int().min(0).max(100_000_000).optional().describe('Upstream calls still to make: adds etaMs'),
      priority: priority.optional().describe('Priority of those calls (default batch)'),
    }),
    handler: async ({ c, deps, query }) => {
      const quota = await deps.gateway.quota(query.provider);
      const eta =
        query.calls === undefined ? {} : { etaMs: await deps.gateway.lookups.eta(query.provider ?? 'virustotal', query.calls, query.priority ?? 'batch').then((ms) => (Number.isFinite(ms) ? ms : null)) };
      // a pool's keys by label: a refused one shows as revoked and unhealthy
      const keys = quota.keys?.map((k) => (k.keyHealthy ? k : { ...k, status: 'unhealthy' }));
      const view = keys ? { ...quota, keys } : quota;
      return c.json({ ...(quota.keyHealthy ? view : { ...view, status: 'unhealthy' }), ...eta });
    },
  }),
  route({
    method: 'get',
    path: '/api/providers',
    summary: 'Configured upstream providers and their quotas',
    tag: 'operations',
    access: 'reader',
    handler: async ({ c, deps }) => c.json({ providers: await deps.gateway.providers() }),
  }),
  route({
    method: 'get',
    path: '/api/stats',
    summary: 'Counters of this instance (lookups, cache hits, upstream calls and calls saved, queue depths); `cluster` sums the live instances in cluster mode',
    tag: 'operations',
    access: 'reader',
    handler: async ({ c, deps }) => c.json(deps.gateway.stats()),
  }),
  route({
    method: 'get',
    path: '/api/cache/info',
    summary: 'Cache size, entries per kind, hit ratio, limits',
    tag: 'cache',
    access: 'reader',
    handler: async ({ c, deps }) => c.json(await deps.gateway.cacheInfo()),
  }),
  route({
    method: 'get',
    path: '/api/cache/list',
    summary: 'Cached answers, newest first, one page at a time (raw upstream objects only with full=true)',
    tag: 'cache',
    access: 'reader',
    query: z.object({
      kind: indicatorKind.optional(),
      provider: providerName.optional(),
      limit: limitParam(1000),
      cursor: z.string().max(500).optional(),
      full: boolish.optional(),
    }),
    handler: async ({ c, deps, query }) => {
      const page = await deps.gateway.cacheList({
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.provider ? { provider: query.provider } : {}),
        limit: query.limit ?? 50,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      const items = query.full ? page.items : page.items.map((e) => ({ ...e, report: { ...e.report, data: undefined } }));
      return c.json({ items, nextCursor: page.nextCursor });
    },
  }),
  route({
    method: 'delete',
    path: '/api/cache',
    summary: 'Remove cache entries: all, or narrowed by ?indicator=, ?kind=, ?provider=',
    tag: 'cache',
    access: 'admin',
    query: z.object({ indicator: z.string().min(1).max(8192).optional(), kind: indicatorKind.optional(), provider: providerName.optional() }),
    handler: async ({ c, deps, query }) => {
      const removed = await deps.gateway.cacheClear({
        ...(query.indicator !== undefined ? { input: query.indicator } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.provider ? { provider: query.provider } : {}),
      });
      return c.json({ removed });
    },
  }),
  route({
    method: 'post',
    path: '/api/cache/prune',
    summary: 'Apply the rotation rules (age, count per kind, size) now',
    tag: 'cache',
    access: 'admin',
    handler: async ({ c, deps }) => c.json(await deps.gateway.cachePrune()),
  }),
];
