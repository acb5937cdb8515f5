/**
 * What `/api/health` and `/api/stats` show: this instance's figures, and in cluster mode the
 * instance's name, the state of Redis, and the figures summed over the live instances.
 */
import type { Runtime } from './runtime.js';
import type { ClusterStats, GatewayStats, Health, ProviderStatus } from './types.js';

export function statsOf(rt: Runtime): GatewayStats {
  const c = rt.lookups.counters;
  const { queueDepth, joins } = rt.lookups.schedulerStats();
  const answered = c.cacheHits + c.staleServed;
  return {
    instanceId: rt.config.cluster.instanceId,
    startedAt: rt.startedAt,
    uptimeMs: rt.clock.now() - rt.startedAt,
    mock: rt.config.mock,
    lookups: c.lookups,
    cacheHits: c.cacheHits,
    staleServed: c.staleServed,
    upstreamCalls: c.upstreamCalls,
    upstreamCallsSaved: answered + joins,
    singleFlightJoins: joins,
    errors: c.errors,
    hitRatio: c.lookups > 0 ? answered / c.lookups : 0,
    queueDepth,
    cache: rt.cache.stats(),
    changes: rt.counters.changes,
    upstream429: rt.counters.upstream429,
    upstreamRetries: rt.counters.upstreamRetries,
    today: rt.daily.today(),
    cluster: clusterStatsOf(rt),
  };
}

/** Counters summed over the live instances (null outside cluster mode). */
export function clusterStatsOf(rt: Runtime): ClusterStats | null {
  const cluster = rt.cluster;
  if (!cluster) return null;
  const t = cluster.totals();
  const n = (k: string) => t[k] ?? 0;
  const answered = n('cacheHits') + n('staleServed');
  const status = cluster.status();
  return {
    scope: 'cluster',
    redis: status.redis,
    instances: status.instances.length,
    instanceIds: status.instances.map((i) => i.id),
    lookups: n('lookups'),
    cacheHits: n('cacheHits'),
    staleServed: n('staleServed'),
    upstreamCalls: n('upstreamCalls'),
    upstreamCallsSaved: answered + n('singleFlightJoins') + n('clusterJoins'),
    singleFlightJoins: n('singleFlightJoins'),
    clusterJoins: n('clusterJoins'),
    errors: n('errors'),
    hitRatio: n('lookups') > 0 ? answered / n('lookups') : 0,
    upstream429: n('upstream429'),
    upstreamRetries: n('upstreamRetries'),
    changes: n('changes'),
  };
}

export async function healthOf(rt: Runtime, providers: ProviderStatus[], version: string): Promise<Health> {
  let store: 'ok' | 'error' = 'ok';
  try {
    await rt.store.cache.info();
  } catch {
    store = 'error';
  }
  const database = rt.store.database();
  if (database.state === 'down') store = 'error';
  const redis = rt.redisTier ? rt.redisTier.state() : rt.cluster ? (rt.cluster.status().redis === 'ready' ? 'ready' : 'down') : 'disabled';
  const vt = providers.find((p) => p.name === 'virustotal');
  const cluster = rt.cluster?.status() ?? null;
  const clusterOk = cluster === null || cluster.redis === 'ready';
  return {
    // a pool key the upstream refused is out of rotation: the pool still serves, on fewer keys
    status:
      store === 'ok' && redis !== 'down' && clusterOk && vt?.quota?.keyHealthy !== false && !vt?.quota?.keys?.some((k) => k.revoked) && rt.reconciler.reachable !== false
        ? 'ok'
        : 'degraded',
    instance: { id: rt.config.cluster.instanceId, startedAt: rt.startedAt },
    mock: rt.config.mock,
    keyConfigured: !rt.config.mock,
    upstreamReachable: rt.reconciler.reachable,
    store,
    database,
    redis,
    cluster,
    providers,
    version,
    uptimeMs: rt.clock.now() - rt.startedAt,
  };
}
