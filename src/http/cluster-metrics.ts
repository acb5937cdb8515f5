/**
 * The cluster's figures for /metrics, after this instance's own: `vtg_instance_info` names the
 * instance; in cluster mode the `vtg_cluster_*` gauges sum the live instances (they drop when an
 * instance leaves, so they are gauges, not counters).
 */
import type { GatewayStats } from '../gateway/index.js';

const FIGURES: Array<[keyof NonNullable<GatewayStats['cluster']>, string, string]> = [
  ['lookups', 'vtg_cluster_lookups', 'Lookups asked of the live instances since each started'],
  ['cacheHits', 'vtg_cluster_cache_hits', 'Cache hits on the live instances'],
  ['upstreamCalls', 'vtg_cluster_upstream_calls', 'Upstream calls made by the live instances'],
  ['upstreamCallsSaved', 'vtg_cluster_upstream_calls_saved', 'Lookups the live instances answered without a call of their own'],
  ['clusterJoins', 'vtg_cluster_single_flight_joins', 'Lookups answered after waiting for another instance to fetch the same indicator'],
  ['upstream429', 'vtg_cluster_upstream_429', '429 answers the live instances received from upstreams'],
  ['errors', 'vtg_cluster_lookup_errors', 'Lookups that failed on the live instances'],
];

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function gauge(name: string, help: string, value: number, labels = ''): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name}${labels} ${value}\n`;
}

export function clusterMetricsText(stats: GatewayStats): string {
  let out = gauge('vtg_instance_info', 'This instance (VTG_INSTANCE_ID, default host:pid)', 1, `{instance="${escapeLabel(stats.instanceId)}"}`);
  const c = stats.cluster;
  if (!c) return out;
  out += gauge('vtg_cluster_instances', 'Live instances on the shared Redis (by their heartbeats)', c.instances);
  out += gauge('vtg_cluster_redis_up', '1 while this instance reaches the cluster Redis', c.redis === 'ready' ? 1 : 0);
  for (const [field, name, help] of FIGURES) out += gauge(name, help, c[field] as number);
  return out;
}
