/** The dashboard's two HTML documents: the sign-in form and the application shell. */
import { escapeHtml, MOCK_BANNER, page } from '../pages/html.js';
import type { Principal } from '../types.js';

export function signInPage(view: { version: string; mock: boolean; error?: string }): string {
  const error = view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>` : '';
  return page(
    view.mock ? 'Sign in: vt-gateway (mock mode)' : 'Sign in: vt-gateway',
    `<main class="signin"><h1>vt-gateway <span class="muted">${escapeHtml(view.version)}</span></h1>${view.mock ? MOCK_BANNER : ''}
<h2>Sign in</h2>${error}
<form method="post" action="/dashboard/login">
<label for="token">Gateway token</label><br>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus style="width:100%;max-width:32rem;padding:.4rem">
<p><button type="submit">Sign in</button></p>
</form>
<p class="muted">A token is created with <code>vtg token create &lt;name&gt; --role analyst</code>. API: <a href="/api/docs">/api/docs</a></p></main>`,
  );
}

export function shellPage(view: { version: string; mock: boolean; csrf: string; principal: Principal; open: boolean }): string {
  const p = view.principal;
  const title = view.mock ? 'vt-gateway (mock mode)' : 'vt-gateway';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${escapeHtml(title)}</title>
<meta name="csrf-token" content="${escapeHtml(view.csrf)}">
<link rel="stylesheet" href="/dashboard/assets/uPlot.min.css"><link rel="stylesheet" href="/dashboard/assets/style.css">
</head><body data-version="${escapeHtml(view.version)}" data-mock="${view.mock}" data-role="${escapeHtml(p.role)}" data-name="${escapeHtml(p.name)}" data-open="${view.open}">
<a class="skip" href="#main">Skip to content</a>
<header class="top"><strong>vt-gateway</strong> <span class="muted">${escapeHtml(view.version)}</span>
<nav aria-label="Sections" id="nav"></nav>
<span class="who muted">${escapeHtml(p.name)} (${escapeHtml(p.role)})</span>${view.open ? '' : ' <button id="signout" type="button">Sign out</button>'}</header>
${view.mock ? MOCK_BANNER : ''}
<main id="main" tabindex="-1"><p class="muted">Loading…</p><noscript>The dashboard needs JavaScript; the API works without it: <a href="/api/docs">/api/docs</a>.</noscript></main>
<script type="module" src="/dashboard/assets/app.js"></script>
</body></html>`;
}
