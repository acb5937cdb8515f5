/** `GET /`: a minimal status page (mock banner, quota, recent changes). The full dashboard is a later issue. */
import type { Change, QuotaView } from '../../gateway/index.js';
import { escapeHtml, MOCK_BANNER, page } from './html.js';

export function dashboardPage(view: { version: string; mock: boolean; quota: QuotaView | null; changes: Change[] | null }): string {
  const banner = view.mock ? MOCK_BANNER : '';
  const quota = view.quota
    ? `<table><thead><tr><th>window</th><th>used</th><th>limit</th><th></th><th>resets</th></tr></thead><tbody>${view.quota.windows
        .map(
          (w) =>
            `<tr><td>${escapeHtml(w.window)}</td><td>${w.used}</td><td>${w.limit}</td><td style="width:30%"><div class="bar"><span style="width:${Math.min(100, Math.round(w.percent))}%"></span></div></td><td>${escapeHtml(new Date(w.resetsAt).toISOString())}</td></tr>`,
        )
        .join('')}</tbody></table><p class="muted">status: ${escapeHtml(view.quota.status)}</p>`
    : '<p class="muted">unavailable</p>';
  const changes =
    view.changes === null
      ? '<p class="muted">Send a token to see recent changes (or use <code>GET /api/history/changes</code>).</p>'
      : view.changes.length === 0
        ? '<p class="muted">No verdict changes yet.</p>'
        : `<table><thead><tr><th>when (UTC)</th><th>indicator</th><th>change</th></tr></thead><tbody>${view.changes
            .map(
              (c) =>
                `<tr><td>${escapeHtml(new Date(c.at).toISOString())}</td><td><code>${escapeHtml(c.indicator)}</code></td><td>${escapeHtml(c.from.verdict)} &rarr; ${escapeHtml(c.to.verdict)} <span class="muted">(${escapeHtml(c.reasons.join(', '))})</span></td></tr>`,
            )
            .join('')}</tbody></table>`;
  return page(
    view.mock ? 'vt-gateway (mock mode)' : 'vt-gateway',
    `<h1>vt-gateway <span class="muted">${escapeHtml(view.version)}</span></h1>${banner}
<h2>VirusTotal quota</h2>${quota}
<h2>Recent verdict changes</h2>${changes}
<p class="muted">API: <a href="/api/docs">/api/docs</a> &middot; <a href="/api/openapi.json">OpenAPI</a> &middot; <a href="/api/health">health</a> &middot; <a href="/metrics">metrics</a></p>`,
  );
}
