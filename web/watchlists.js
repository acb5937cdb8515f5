// Watchlists: the lists, their members with each one's last verdict change, adding and removing.
import { api, can, duration, errorBox, esc, on, time } from './app.js';

const EVERY = [
  ['1h', 3_600_000],
  ['6h', 21_600_000],
  ['12h', 43_200_000],
  ['1d', 86_400_000],
  ['7d', 604_800_000],
];

const keyOf = (kind, id) => `${kind}:${id}`;

function changeText(c) {
  return `<span class="pill verdict-${esc(c.to.verdict)}">${esc(c.from.verdict)} → ${esc(c.to.verdict)}</span> ${time(c.at)}`;
}

function memberRow(name, m, change) {
  const remove = can('analyst') ? `<button type="button" data-remove="${esc(m.indicator)}" aria-label="Remove ${esc(m.indicator)} from ${esc(name)}">Remove</button>` : '';
  return `<tr data-member="${esc(keyOf(m.kind, m.id))}"><td><a href="#/indicator/${esc(encodeURIComponent(m.indicator))}"><code class="break">${esc(m.indicator)}</code></a></td><td>${esc(m.kind)}</td><td>${time(m.addedAt)}</td><td>${m.lastCheckedAt === null ? '<span class="muted">not yet</span>' : time(m.lastCheckedAt)}</td><td class="last-change">${change ? changeText(change) : '<span class="muted">none</span>'}</td><td>${remove}</td></tr>`;
}

export async function renderWatchlists({ main, arg, onCleanup }) {
  const form = can('analyst')
    ? `<form id="watch-form" class="card"><div class="row"><label>List <input name="name" required pattern="[A-Za-z0-9._-]{1,64}" maxlength="64" placeholder="campaign-x"></label>
<label>Re-check every <select name="every">${EVERY.map(([label, ms]) => `<option value="${ms}"${label === '1d' ? ' selected' : ''}>${label}</option>`).join('')}</select></label></div>
<label for="watch-indicators">Indicators, one per line (defanged is fine)</label><textarea id="watch-indicators" name="indicators" rows="4" required></textarea>
<button type="submit">Add to watchlist</button><div id="watch-out" aria-live="polite"></div></form>`
    : '';
  main.innerHTML = `<h1>Watchlists</h1><p class="muted">Listed indicators are re-checked at background priority when due; a changed verdict names its lists.</p>${form}<div id="lists"></div><div id="members" aria-live="polite"></div>`;
  const listsEl = main.querySelector('#lists');
  const membersEl = main.querySelector('#members');
  let shown = arg;

  const drawLists = async () => {
    const { watchlists } = await api('/api/watchlists');
    listsEl.innerHTML = watchlists.length
      ? `<div class="scroll"><table><thead><tr><th>list</th><th>members</th><th>re-checked every</th><th>created</th><th></th></tr></thead><tbody>${watchlists
          .map(
            (w) =>
              `<tr data-list="${esc(w.name)}"><td><a href="#/watchlists/${esc(encodeURIComponent(w.name))}">${esc(w.name)}</a></td><td>${esc(w.items)}</td><td>${esc(EVERY.find(([, ms]) => ms === w.everyMs)?.[0] ?? duration(w.everyMs))}</td><td>${time(w.createdAt)}</td><td>${can('analyst') ? `<button type="button" data-delete="${esc(w.name)}" aria-label="Delete watchlist ${esc(w.name)}">Delete</button>` : ''}</td></tr>`,
          )
          .join('')}</tbody></table></div>`
      : '<p class="muted">No watchlists yet.</p>';
  };

  const drawMembers = async () => {
    if (!shown) {
      membersEl.innerHTML = '';
      return;
    }
    const name = shown;
    let view;
    try {
      view = await api(`/api/watchlists/${encodeURIComponent(name)}`);
    } catch (err) {
      membersEl.innerHTML = errorBox(err);
      return;
    }
    const { changes } = await api('/api/history/changes?limit=1000');
    const last = new Map();
    for (const c of changes) {
      for (const k of [keyOf(c.kind, c.id), `indicator:${c.indicator}`]) if (!last.has(k)) last.set(k, c);
    }
    const changeOf = (m) => last.get(keyOf(m.kind, m.id)) ?? last.get(`indicator:${m.indicator}`);
    const rows = view.items.map((m) => memberRow(name, m, changeOf(m))).join('');
    membersEl.innerHTML = `<h2>${esc(name)} <span class="muted small">${esc(view.items.length)} member${view.items.length === 1 ? '' : 's'}</span></h2>
<div class="scroll"><table><thead><tr><th>indicator</th><th>kind</th><th>added</th><th>last checked</th><th>last verdict change</th><th></th></tr></thead><tbody>${rows || '<tr><td colspan="6" class="muted">No members.</td></tr>'}</tbody></table></div>`;
  };

  main.querySelector('#watch-form')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = ev.currentTarget;
    const out = main.querySelector('#watch-out');
    const indicators = f.indicators.value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
    try {
      const r = await api('/api/watchlists', { method: 'POST', json: { name: f.name.value.trim(), indicators, everyMs: Number(f.every.value) } });
      const bad = r.invalid.length ? ` ${r.invalid.length} not indicators: ${r.invalid.map((i) => esc(i.input)).join(', ')}.` : '';
      out.innerHTML = `<p>${esc(r.added)} added to <strong>${esc(r.watchlist.name)}</strong>, ${esc(r.existing)} already on it.${bad}</p>`;
      f.indicators.value = '';
      shown = r.watchlist.name;
      await drawLists();
      await drawMembers();
    } catch (err) {
      out.innerHTML = errorBox(err);
    }
  });

  listsEl.addEventListener('click', async (ev) => {
    const name = ev.target.closest('[data-delete]')?.dataset.delete;
    if (!name || !confirm(`Delete the watchlist ${name}?`)) return;
    try {
      await api(`/api/watchlists/${encodeURIComponent(name)}`, { method: 'DELETE' });
      if (shown === name) shown = '';
      await drawLists();
      await drawMembers();
    } catch (err) {
      listsEl.insertAdjacentHTML('afterbegin', errorBox(err));
    }
  });

  membersEl.addEventListener('click', async (ev) => {
    const indicator = ev.target.closest('[data-remove]')?.dataset.remove;
    if (!indicator) return;
    try {
      await api(`/api/watchlists/${encodeURIComponent(shown)}/items?indicator=${encodeURIComponent(indicator)}`, { method: 'DELETE' });
      await drawLists();
      await drawMembers();
    } catch (err) {
      membersEl.insertAdjacentHTML('afterbegin', errorBox(err));
    }
  });

  // a verdict change of a member shows up in its row as it happens
  onCleanup(
    on('change', (c) => {
      const cell = membersEl.querySelector(`tr[data-member="${CSS.escape(keyOf(c.kind, c.id))}"] .last-change`);
      if (cell) cell.innerHTML = changeText(c);
    }),
  );

  await drawLists();
  await drawMembers();
}
