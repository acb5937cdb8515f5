// The overview's cluster panel (cluster mode only: the gateway runs with Redis, `stats.cluster` is
// set): the live instances, this one's name, the state of Redis, whose counts the quota gauges show,
// and the figures summed over the live instances. Outside cluster mode it draws nothing.
import { esc } from './app.js';

/** Whose counts a provider's quota gauges show, from where the governor keeps them. */
export function quotaScope(quota) {
  if (quota?.backend === 'redis') return { scope: 'cluster', text: 'cluster-wide: every instance counts on Redis' };
  if (quota?.backend === 'local-fallback') return { scope: 'instance', text: "this instance's fallback share (Redis is unreachable)" };
  return { scope: 'instance', text: 'this instance only' };
}

const pct = (ratio) => `${((Number(ratio) || 0) * 100).toFixed(1)}%`;

function kpi(id, value, label) {
  return `<div class="kpi"><div class="big" id="${id}">${esc(value)}</div><div class="muted">${esc(label)}</div></div>`;
}

/**
 * The panel's HTML, or '' outside cluster mode.
 * @param {any} stats the body of /api/stats
 * @param {any[]} providers the body of /api/providers (`providers`)
 */
export function clusterPanel(stats, providers) {
  const c = stats?.cluster;
  if (!c) return '';
  const vt = providers.find((p) => p.name === 'virustotal') ?? providers.find((p) => p.quota);
  const scope = quotaScope(vt?.quota);
  const redis = c.redis === 'ready' ? '<span class="pill healthy" id="cluster-redis">Redis ready</span>' : '<span class="pill critical" id="cluster-redis">Redis down</span>';
  const others = (c.instanceIds ?? []).filter((id) => id !== stats.instanceId);
  return `<section class="card" id="cluster" aria-label="Cluster"><h2>Cluster ${redis}</h2>
<dl class="facts">
<dt>instances alive</dt><dd><span id="cluster-instances">${esc(c.instances)}</span>${others.length ? ` <span class="muted small">(this one and ${others.map((id) => `<code>${esc(id)}</code>`).join(', ')})</span>` : ''}</dd>
<dt>this instance</dt><dd><code id="cluster-instance-id">${esc(stats.instanceId)}</code></dd>
<dt>quota figures</dt><dd id="cluster-quota-scope" data-scope="${esc(scope.scope)}">${esc(scope.text)}</dd>
</dl>
<h3>Whole cluster <span class="muted small">(summed over the live instances, each since it started)</span></h3>
<div class="kpis" id="cluster-sums">
${kpi('cluster-lookups', c.lookups, 'lookups')}
${kpi('cluster-hit-ratio', pct(c.hitRatio), 'cache hit ratio')}
${kpi('cluster-calls-saved', c.upstreamCallsSaved, 'upstream calls saved')}
${kpi('cluster-upstream-calls', c.upstreamCalls, 'upstream calls')}
${kpi('cluster-joins', c.clusterJoins, 'answers shared between instances')}
${kpi('cluster-429', c.upstream429, 'upstream 429s')}
${kpi('cluster-errors', c.errors, 'errors')}
</div>${c.redis === 'ready' ? '' : `<p class="small muted">Redis is unreachable: only this instance is counted alive, the sums hold the other instances' last reported figures, and each instance spends only its fallback share of the quota.</p>`}</section>`;
}
