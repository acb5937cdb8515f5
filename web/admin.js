// Batches, changes, webhooks and tokens.
import { api, can, duration, errorBox, esc, live, on, time } from './app.js';

function progress(job) {
  const pct = job.total > 0 ? ((job.done + job.failed) / job.total) * 100 : 100;
  return `<div class="bar ok" role="progressbar" aria-valuemin="0" aria-valuemax="${esc(job.total)}" aria-valuenow="${esc(job.done + job.failed)}"><span style="width:${pct.toFixed(1)}%"></span></div><span class="small">${esc(job.done)} done, ${esc(job.failed)} failed of ${esc(job.total)}</span>`;
}

export async function renderBatches({ main, onCleanup }) {
  main.innerHTML = `<h1>Batches</h1>
<form id="batch-form" class="card"><label for="indicators">Indicators, one per line (defanged is fine)</label>
<textarea id="indicators" name="indicators" rows="6" required></textarea>
<div class="row"><button type="button" id="estimate">Estimate cost</button><button type="submit" id="start" disabled>Start batch</button></div>
<div id="estimate-out" aria-live="polite"></div></form>
<h2>Jobs</h2><div id="jobs" aria-live="polite"></div>`;
  const form = main.querySelector('#batch-form');
  const out = main.querySelector('#estimate-out');
  const startBtn = main.querySelector('#start');
  const lines = () => form.indicators.value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  const etas = new Map();
  form.indicators.addEventListener('input', () => {
    startBtn.disabled = true;
  });
  main.querySelector('#estimate').addEventListener('click', async () => {
    try {
      const { estimate: e } = await api('/api/batch', { method: 'POST', json: { indicators: lines(), dryRun: true } });
      out.innerHTML = `<p id="dry-run">Dry run: ${esc(e.total)} indicators, ${esc(e.cached)} cached, ${esc(e.duplicates)} duplicates, ${esc(e.invalid)} invalid: <strong>${esc(e.upstream)} upstream calls</strong>, about ${esc(duration(e.etaMs))}.</p>`;
      startBtn.disabled = false;
    } catch (err) {
      out.innerHTML = errorBox(err);
    }
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await api('/api/batch', { method: 'POST', json: { indicators: lines() } });
      out.innerHTML = `<p>Started <code>${esc(r.job.id)}</code>.</p>`;
      startBtn.disabled = true;
      draw((await api('/api/batch?limit=50')).jobs);
    } catch (err) {
      out.innerHTML = errorBox(err);
    }
  });
  const jobsEl = main.querySelector('#jobs');
  const draw = (jobs) => {
    for (const j of jobs) {
      if (j.status === 'running' && !etas.has(j.id)) {
        etas.set(j.id, null);
        api(`/api/batch/${j.id}`).then((v) => etas.set(j.id, v.etaMs)).catch(() => {});
      }
    }
    jobsEl.innerHTML = jobs.length
      ? `<div class="scroll"><table><thead><tr><th>started</th><th>job</th><th>status</th><th>progress</th><th>ETA</th><th>results</th></tr></thead><tbody>${jobs
          .map(
            (j) =>
              `<tr data-job="${esc(j.id)}"><td>${time(j.createdAt)}</td><td><code>${esc(j.id.slice(0, 8))}</code></td><td class="status"><span class="pill ${esc(j.status)}">${esc(j.status)}</span></td><td>${progress(j)}</td><td>${j.status === 'running' ? esc(duration(etas.get(j.id))) : '–'}</td><td><a href="/api/batch/${esc(j.id)}/results" download="batch-${esc(j.id)}.ndjson">NDJSON</a></td></tr>`,
          )
          .join('')}</tbody></table></div>`
      : '<p class="muted">No batch jobs yet.</p>';
  };
  draw(live.batches?.jobs ?? (await api('/api/batch?limit=50')).jobs);
  onCleanup(on('batches', (d) => draw(d.jobs)));
}

function changeRow(c) {
  return `<tr><td>${time(c.at)}</td><td><a href="#/indicator/${esc(encodeURIComponent(c.indicator))}"><code class="break">${esc(c.indicator)}</code></a></td><td>${esc(c.from.verdict)} → ${esc(c.to.verdict)}</td><td class="muted">${esc(c.reasons.join(', '))}</td></tr>`;
}

export async function renderChanges({ main, onCleanup }) {
  main.innerHTML = '<h1>Verdict changes</h1><p class="muted">Newest first; new ones appear live.</p><div class="scroll"><table><thead><tr><th>when</th><th>indicator</th><th>change</th><th>why</th></tr></thead><tbody id="changes"></tbody></table></div>';
  const tbody = main.querySelector('#changes');
  const { changes } = await api('/api/history/changes?limit=200');
  tbody.innerHTML = changes.length ? changes.map(changeRow).join('') : '<tr><td colspan="4" class="muted">No verdict changes yet.</td></tr>';
  onCleanup(on('change', (c) => tbody.insertAdjacentHTML('afterbegin', changeRow(c))));
}

export async function renderWebhooks({ main }) {
  main.innerHTML = `<h1>Webhooks</h1>
<form id="hook-form" class="card"><label for="hook-url">URL</label><input id="hook-url" name="url" type="url" required placeholder="https://soar.example/hooks/vtg">
<fieldset><legend>Events</legend>
<label><input type="checkbox" name="events" value="verdict.changed" checked> verdict.changed</label>
<label><input type="checkbox" name="events" value="batch.completed"> batch.completed</label></fieldset>
<button type="submit">Add webhook</button><div id="hook-out" aria-live="polite"></div></form><div id="hooks"></div><div id="deliveries"></div>`;
  const list = async () => {
    const { webhooks } = await api('/api/webhooks');
    main.querySelector('#hooks').innerHTML = webhooks.length
      ? `<div class="scroll"><table><thead><tr><th>url</th><th>events</th><th>created</th><th></th></tr></thead><tbody>${webhooks
          .map((w) => `<tr><td class="break">${esc(w.url)}</td><td>${esc((w.events ?? []).join(', '))}</td><td>${time(w.createdAt)}</td><td><button type="button" data-deliveries="${esc(w.id)}">Deliveries</button> <button type="button" data-delete="${esc(w.id)}">Delete</button></td></tr>`)
          .join('')}</tbody></table></div>`
      : '<p class="muted">No webhooks.</p>';
  };
  const form = main.querySelector('#hook-form');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const events = [...form.querySelectorAll('input[name=events]:checked')].map((i) => i.value);
    try {
      const r = await api('/api/webhooks', { method: 'POST', json: { url: form.url.value, events } });
      main.querySelector('#hook-out').innerHTML = `<p>Created. Signing secret (shown once): <code class="break">${esc(r.secret)}</code></p>`;
      await list();
    } catch (err) {
      main.querySelector('#hook-out').innerHTML = errorBox(err);
    }
  });
  main.querySelector('#hooks').addEventListener('click', async (ev) => {
    const del = ev.target.closest('[data-delete]')?.dataset.delete;
    const dl = ev.target.closest('[data-deliveries]')?.dataset.deliveries;
    if (del && confirm('Delete this webhook?')) {
      await api(`/api/webhooks/${encodeURIComponent(del)}`, { method: 'DELETE' });
      await list();
    }
    if (dl) {
      await showDeliveries(dl);
    }
  });
  const showDeliveries = async (hookId) => {
    const { deliveries } = await api(`/api/webhooks/${encodeURIComponent(hookId)}/deliveries`);
    main.querySelector('#deliveries').innerHTML = `<h2>Deliveries</h2><div class="scroll"><table><thead><tr><th>created</th><th>event</th><th>status</th><th>attempts</th><th>last answer</th><th></th></tr></thead><tbody>${deliveries
      .map(
        (d) =>
          `<tr><td>${time(d.createdAt)}</td><td>${esc(d.event)}</td><td><span class="pill ${esc(d.status)}">${esc(d.status)}</span></td><td>${esc(d.attempts)}</td><td>${esc(d.lastStatus ?? '')} ${esc(d.lastError ?? '')}</td><td>${d.status === 'dead' ? `<button type="button" data-hook="${esc(hookId)}" data-retry="${esc(d.id)}">Retry</button>` : ''}</td></tr>`,
      )
      .join('') || '<tr><td colspan="6" class="muted">No deliveries yet.</td></tr>'}</tbody></table></div>`;
  };
  main.querySelector('#deliveries').addEventListener('click', async (ev) => {
    const button = ev.target.closest('[data-retry]');
    if (!button) return;
    try {
      await api(`/api/webhooks/${encodeURIComponent(button.dataset.hook)}/deliveries/${encodeURIComponent(button.dataset.retry)}/retry`, { method: 'POST' });
      await showDeliveries(button.dataset.hook);
    } catch (err) {
      main.querySelector('#deliveries').insertAdjacentHTML('afterbegin', errorBox(err));
    }
  });
  await list();
}

export async function renderTokens({ main }) {
  if (!can('admin')) {
    main.innerHTML = '<p class="error">Tokens need the admin role.</p>';
    return;
  }
  main.innerHTML = `<h1>Tokens</h1>
<form id="token-form" class="card"><div class="row">
<label>Name <input name="name" required maxlength="100"></label>
<label>Role <select name="role"><option>reader</option><option selected>analyst</option><option>admin</option></select></label>
<label>Daily budget <input name="dailyBudget" type="number" min="0" placeholder="unlimited"></label>
<button type="submit">Create token</button></div><div id="token-out" aria-live="polite"></div></form>
<div id="tokens"></div>`;
  const list = async () => {
    const { tokens } = await api('/api/tokens');
    main.querySelector('#tokens').innerHTML = `<div class="scroll"><table><thead><tr><th>name</th><th>role</th><th>daily budget</th><th>created</th><th>state</th><th></th></tr></thead><tbody>${tokens
      .map(
        (t) =>
          `<tr data-token="${esc(t.name)}"><td>${esc(t.name)}</td><td>${esc(t.role)}</td><td>${esc(t.dailyBudget ?? 'unlimited')}</td><td>${time(t.createdAt)}</td><td class="state">${t.revokedAt ? `revoked ${time(t.revokedAt)}` : 'live'}</td><td>${t.revokedAt ? '' : `<button type="button" data-revoke="${esc(t.id)}" aria-label="Revoke ${esc(t.name)}">Revoke</button>`}</td></tr>`,
      )
      .join('')}</tbody></table></div>`;
  };
  const form = main.querySelector('#token-form');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const budget = form.dailyBudget.value === '' ? null : Number(form.dailyBudget.value);
    try {
      const r = await api('/api/tokens', { method: 'POST', json: { name: form.name.value.trim(), role: form.role.value, dailyBudget: budget } });
      main.querySelector('#token-out').innerHTML = `<p>Token for <strong>${esc(r.record?.name ?? "")}</strong> (shown once): <code id="new-token" class="break">${esc(r.token)}</code></p>`;
      form.reset();
      await list();
    } catch (err) {
      main.querySelector('#token-out').innerHTML = errorBox(err);
    }
  });
  main.querySelector('#tokens').addEventListener('click', async (ev) => {
    const id = ev.target.closest('[data-revoke]')?.dataset.revoke;
    if (!id) return;
    try {
      await api(`/api/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
      await list();
    } catch (err) {
      main.querySelector('#token-out').innerHTML = errorBox(err);
    }
  });
  await list();
}
