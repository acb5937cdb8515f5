// Overview, lookup and indicator history.
import { api, duration, errorBox, esc, live, on, time } from './app.js';
import { clusterPanel, quotaScope } from './cluster.js';
import { showForecast } from './forecast.js';

const PROVIDER_LABEL = { virustotal: 'VirusTotal', urlhaus: 'URLhaus', dshield: 'DShield', spur: 'SPUR' };

function gauge(w) {
  const pct = w.limit > 0 ? Math.min(100, (w.used / w.limit) * 100) : 0;
  const level = pct >= 90 ? 'crit' : pct >= 75 ? 'warn' : 'ok';
  return `<div class="gauge"><div class="gauge-head"><strong>${esc(w.window)}</strong> <span>${esc(w.used)} / ${esc(w.limit)}</span></div>
<div class="bar ${level}" role="meter" aria-label="${esc(w.window)} quota used" aria-valuemin="0" aria-valuemax="${esc(w.limit)}" aria-valuenow="${esc(w.used)}"><span style="width:${pct.toFixed(1)}%"></span></div>
<div class="muted small">resets ${time(w.resetsAt)} <span class="utc">(${esc(new Date(w.resetsAt).toISOString().slice(0, 16).replace('T', ' '))} UTC)</span></div></div>`;
}

function providerCard(p, inCluster) {
  const q = p.quota;
  // in cluster mode each card says whose counts its gauges show (nothing extra otherwise)
  const scope = inCluster && q ? ` <span class="pill quota-scope" title="${esc(quotaScope(q).text)}">${esc(quotaScope(q).scope === 'cluster' ? 'cluster-wide' : 'this instance')}</span>` : '';
  const windows = q?.windows?.length ? q.windows.map(gauge).join('') : '<p class="muted small">No quota windows: this source has no published limit.</p>';
  const status = q ? `<span class="pill ${esc(q.status)}">${esc(q.status)}</span>${q.keyHealthy === false ? ' <span class="pill critical">key unhealthy</span>' : ''}${q.pausedUntil ? ` <span class="pill warning">paused until ${time(q.pausedUntil)}</span>` : ''}${scope}` : '';
  return `<section class="card" aria-label="${esc(PROVIDER_LABEL[p.name] ?? p.name)} quota"><h3>${esc(PROVIDER_LABEL[p.name] ?? p.name)} ${p.enabled ? '' : '<span class="muted">(disabled)</span>'} ${status}</h3>${windows}</section>`;
}

function statsPanel(s) {
  const queue = Object.entries(s.queueDepth ?? {})
    .map(([prov, by]) => `<tr><th scope="row">${esc(PROVIDER_LABEL[prov] ?? prov)}</th><td>${esc(by.interactive)}</td><td>${esc(by.batch)}</td><td>${esc(by.background)}</td></tr>`)
    .join('');
  const t = s.today;
  return `<h2>Today <span class="muted small">(${esc(t.day)} UTC)</span></h2><div class="kpis" id="today">
<div class="kpi"><div class="big" id="hit-ratio">${esc((t.hitRatio * 100).toFixed(1))}%</div><div class="muted">cache hit ratio</div></div>
<div class="kpi"><div class="big" id="calls-saved">${esc(t.upstreamCallsSaved)}</div><div class="muted">upstream calls saved</div></div>
<div class="kpi"><div class="big" id="calls-today">${esc(t.upstreamCalls)}</div><div class="muted">upstream calls</div></div>
<div class="kpi"><div class="big">${esc(t.errors)}</div><div class="muted">upstream errors</div></div>
<div class="kpi"><div class="big">${esc(t.upstream429)}</div><div class="muted">upstream 429s</div></div>
</div>
<p class="small muted" id="since-start">${s.cluster ? `This instance (<code>${esc(s.instanceId)}</code>)` : 'This process'}, since ${time(s.startedAt)}: ${esc(s.lookups)} lookups, ${esc((s.hitRatio * 100).toFixed(1))}% from cache, ${esc(s.upstreamCallsSaved)} calls saved, ${esc(s.upstreamCalls)} upstream calls.</p>
<h3>Queue depth by priority</h3><div class="scroll"><table><thead><tr><th>provider</th><th>interactive</th><th>batch</th><th>background</th></tr></thead><tbody>${queue}</tbody></table></div>`;
}

export async function renderOverview({ main, onCleanup }) {
  main.innerHTML = '<h1>Overview</h1><div id="cluster-panel"></div><div id="providers" class="grid"></div><div id="stats"></div><div id="forecast"></div>';
  const draw = (data) => {
    main.querySelector('#cluster-panel').innerHTML = clusterPanel(data.stats, data.providers);
    main.querySelector('#providers').innerHTML = data.providers.map((p) => providerCard(p, !!data.stats.cluster)).join('');
    main.querySelector('#stats').innerHTML = statsPanel(data.stats);
  };
  const data = live.overview ?? { providers: (await api('/api/providers')).providers, stats: await api('/api/stats') };
  draw(data);
  onCleanup(on('overview', draw));
  onCleanup(showForecast(main.querySelector('#forecast')));
}

function verdictPill(v) {
  return `<span class="pill verdict-${esc(v)}">${esc(v)}</span>`;
}

function engineTable(data) {
  const results = data?.attributes?.last_analysis_results;
  if (!results || typeof results !== 'object') return '';
  const rows = Object.entries(results)
    .sort(([, a], [, b]) => (a.category === 'malicious' ? 0 : 1) - (b.category === 'malicious' ? 0 : 1))
    .map(([engine, r]) => `<tr><td>${esc(engine)}</td><td>${esc(r.category)}</td><td>${esc(r.result ?? '')}</td></tr>`)
    .join('');
  return `<details><summary>Per-engine results (${Object.keys(results).length})</summary><div class="scroll"><table><thead><tr><th>engine</th><th>category</th><th>result</th></tr></thead><tbody>${rows}</tbody></table></div></details>`;
}

export function lookupResult(r) {
  const rep = r.report;
  const link = r.permalink; // the server names the object's page on VirusTotal (a file by its SHA-256)
  const where = r.source === 'upstream' ? 'upstream (fresh call)' : r.stale ? `${r.source} (stale)` : r.source;
  return `<section class="card result" aria-label="Lookup result">
<h2>${verdictPill(rep.verdict)} <code class="break">${esc(rep.indicator)}</code></h2>
<dl class="facts">
<dt>kind</dt><dd>${esc(r.indicator.kind)}</dd>
<dt>detections</dt><dd>${esc(rep.detections ?? '–')} / ${esc(rep.engines ?? '–')}</dd>
<dt>threat label</dt><dd>${esc(rep.threatLabel ?? '–')}</dd>
<dt>answered from</dt><dd id="answered-from">${esc(where)}, ${esc(duration(r.ageMs))} old</dd>
<dt>fetched</dt><dd>${time(r.fetchedAt)}</dd>
<dt>last analysis</dt><dd>${time(rep.lastAnalysisAt)}</dd>
<dt>VirusTotal</dt><dd>${link ? `<a href="${esc(link)}" rel="noreferrer noopener" target="_blank">permalink</a>` : '–'}</dd>
<dt>history</dt><dd><a href="#/indicator/${esc(encodeURIComponent(r.indicator.value))}">detections over time</a></dd>
</dl>${engineTable(rep.data)}</section>`;
}

function sourcesTable(enrich) {
  const rows = (enrich.sources ?? [])
    .map((s) => `<tr><td>${esc(s.provider)}</td><td>${s.ok ? verdictPill(s.result?.report?.verdict ?? 'unknown') : `<span class="muted">${esc(s.error?.code ?? 'error')}</span>`}</td><td>${s.ok ? esc(s.result?.source ?? '') : esc(s.error?.message ?? '')}</td></tr>`)
    .join('');
  return `<section class="card"><h2>Every source</h2><div class="scroll"><table><thead><tr><th>source</th><th>verdict</th><th>answered from</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

export async function renderLookup({ main, arg }) {
  main.innerHTML = `<h1>Lookup</h1>
<form id="lookup" class="row" role="search"><label for="q" class="sr-only">Indicator</label>
<input id="q" name="q" placeholder="hash, URL, domain or IP (defanged is fine)" autocomplete="off" required>
<button type="submit">Look up</button></form><div id="out" aria-live="polite"></div><div id="sources"></div>`;
  const form = main.querySelector('#lookup');
  const out = main.querySelector('#out');
  const sources = main.querySelector('#sources');
  const run = async (q) => {
    out.innerHTML = '<p class="muted">Looking up…</p>';
    sources.innerHTML = '';
    try {
      const r = await api(`/api/lookup?q=${encodeURIComponent(q)}`);
      out.innerHTML = lookupResult(r);
      const e = await api(`/api/enrich/${encodeURIComponent(r.indicator.value)}`).catch((err) => ({ error: err }));
      sources.innerHTML = e.error ? '' : sourcesTable(e);
    } catch (err) {
      out.innerHTML = errorBox(err);
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = form.q.value.trim();
    if (q) run(q);
  });
  if (arg) {
    form.q.value = arg;
    run(arg);
  } else form.q.focus();
}

/** Related indicators (issue 13's correlation graph, one hop): what links them, and their verdicts. */
async function showRelated(el, value) {
  let g;
  try {
    g = await api(`/api/related/${encodeURIComponent(value)}?depth=1&max_nodes=100`);
  } catch {
    return;
  }
  const rootKey = g.nodes.find((n) => n.depth === 0)?.key;
  const why = new Map();
  for (const e of g.edges) {
    const other = e.source === rootKey ? e.target : e.target === rootKey ? e.source : null;
    if (other) why.set(other, [...(why.get(other) ?? []), e.relation]);
  }
  const rows = g.nodes
    .filter((n) => n.depth > 0)
    .map((n) => `<tr><td><a href="#/indicator/${esc(encodeURIComponent(n.value))}"><code class="break">${esc(n.value)}</code></a></td><td>${esc(n.kind)}</td><td>${n.verdict ? verdictPill(n.verdict) : '<span class="muted">not looked up</span>'}</td><td class="muted">${esc([...new Set(why.get(n.key) ?? [])].join(', '))}</td></tr>`)
    .join('');
  el.innerHTML = `<h2>Related indicators</h2>${rows ? `<div class="scroll"><table id="related-table"><thead><tr><th>indicator</th><th>kind</th><th>verdict</th><th>related by</th></tr></thead><tbody>${rows}</tbody></table></div>${g.truncated ? '<p class="small muted">Only the first 100 are shown.</p>' : ''}` : '<p class="muted">None known yet.</p>'}`;
}

export async function renderIndicator({ main, arg, onCleanup }) {
  main.innerHTML = `<h1>Indicator</h1><p><code class="break">${esc(arg)}</code></p><div id="chart" class="chart"></div><div id="related"></div><div id="obs"></div>`;
  showRelated(main.querySelector('#related'), arg);
  const h = await api(`/api/history/${encodeURIComponent(arg)}?limit=500`);
  const obs = [...h.observations].sort((a, b) => a.at - b.at);
  const changes = new Set(h.changes.map((c) => c.at));
  if (obs.length > 0) {
    const { default: uPlot } = await import('./uPlot.esm.js');
    const el = main.querySelector('#chart');
    const xs = obs.map((o) => o.at / 1000);
    const ys = obs.map((o) => o.detections ?? 0);
    const marks = obs.map((o) => (changes.has(o.at) ? (o.detections ?? 0) : null));
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth || 600),
        height: 240,
        title: 'Detections over time (verdict changes marked)',
        series: [{}, { label: 'detections', stroke: '#1f5fbf', width: 2 }, { label: 'verdict change', stroke: '#b3261e', width: 0, points: { size: 10, fill: '#b3261e' } }],
        axes: [{}, { label: 'detections' }],
        // a single observation would otherwise stretch the time axis over years
        scales: { x: { time: true, range: (_u, min, max) => (max - min < 3600 ? [min - 1800, max + 1800] : [min, max]) } },
      },
      [xs, ys, marks],
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: 240 });
    window.addEventListener('resize', resize);
    onCleanup(() => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    });
  } else main.querySelector('#chart').innerHTML = '<p class="muted">No observations yet: look it up first.</p>';
  const rows = h.observations
    .map((o) => `<tr${changes.has(o.at) ? ' class="changed"' : ''}><td>${time(o.at)}</td><td>${verdictPill(o.verdict)}</td><td>${esc(o.detections ?? '')}</td><td>${esc(o.threatLabel ?? '')}</td><td>${changes.has(o.at) ? 'verdict changed' : ''}</td></tr>`)
    .join('');
  main.querySelector('#obs').innerHTML = `<h2>Observations</h2><div class="scroll"><table><thead><tr><th>when</th><th>verdict</th><th>detections</th><th>threat label</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`;
}
