// Search over the cache and history, with exports (shown only when the server offers /api/search).
import { api, errorBox, esc, time } from './app.js';

const FORMATS = ['csv', 'json', 'ndjson', 'stix', 'misp', 'pdf'];

export async function renderSearch({ main }) {
  main.innerHTML = `<h1>Search</h1>
<form id="search" class="row" role="search">
<label>Text <input name="q" placeholder="value, file name…"></label>
<label>Kind <select name="kind"><option value="">any</option><option>file</option><option>url</option><option>domain</option><option>ip</option></select></label>
<label>Verdict <select name="verdict"><option value="">any</option><option>malicious</option><option>suspicious</option><option>harmless</option><option>undetected</option></select></label>
<label>Since <input name="since" placeholder="24h, 7d or a date" size="10"></label>
<button type="submit">Search</button></form><div id="results" aria-live="polite"></div>`;
  const form = main.querySelector('#search');
  const out = main.querySelector('#results');
  const params = () => {
    const p = new URLSearchParams();
    for (const name of ['q', 'kind', 'verdict', 'since']) if (form[name].value.trim()) p.set(name, form[name].value.trim());
    return p;
  };
  const run = async () => {
    const p = params();
    p.set('limit', '100');
    try {
      const page = await api(`/api/search?${p}`);
      const exportParams = params();
      const links = FORMATS.map((f) => {
        exportParams.set('format', f);
        return `<a href="/api/export?${esc(exportParams.toString())}" download>${esc(f.toUpperCase())}</a>`;
      }).join(' · ');
      out.innerHTML = `<p>${esc(page.total)} matching indicators. Export: ${links}</p><div class="scroll"><table><thead><tr><th>indicator</th><th>kind</th><th>verdict</th><th>detections</th><th>label</th><th>last seen</th></tr></thead><tbody>${page.items
        .map(
          (r) =>
            `<tr><td><a href="#/lookup/${esc(encodeURIComponent(r.indicator))}"><code class="break">${esc(r.indicator)}</code></a></td><td>${esc(r.kind)}</td><td><span class="pill verdict-${esc(r.verdict)}">${esc(r.verdict)}</span></td><td>${esc(r.detections)}${r.engines ? ` / ${esc(r.engines)}` : ''}</td><td>${esc(r.threatLabel ?? '')}</td><td>${time(r.lastSeen)}</td></tr>`,
        )
        .join('')}</tbody></table></div>`;
    } catch (err) {
      out.innerHTML = errorBox(err);
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run();
  });
  await run();
}
