/** `/api/docs`: the routes of the OpenAPI document as one readable, self-contained page. */
import { escapeHtml, MOCK_BANNER, page } from './html.js';
import { inlineMarkdown } from './markdown.js';

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: { type?: string; enum?: unknown[] } }>;
  security?: unknown[];
}

export function docsPage(
  doc: { info?: { title?: string; version?: string; description?: string }; paths?: Record<string, Record<string, Operation>> },
  view: { mock: boolean },
): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? [])
        .map((p) => {
          const type = p.schema?.enum ? p.schema.enum.join(' | ') : (p.schema?.type ?? '');
          return `<code>${escapeHtml(p.name)}</code> <span class="muted">(${escapeHtml(p.in)}${p.required ? ', required' : ''}${type ? `, ${escapeHtml(type)}` : ''})</span>${p.description ? ` ${inlineMarkdown(p.description)}` : ''}`;
        })
        .join('<br>');
      const auth = op.security && op.security.length === 0 ? '<span class="muted">no token</span>' : '';
      const row = `<tr><td class="method ${escapeHtml(method)}">${escapeHtml(method)}</td><td><code>${escapeHtml(path)}</code><br>${inlineMarkdown(op.summary ?? '')}${op.description ? `<br><span class="muted">${inlineMarkdown(op.description)}</span>` : ''} ${auth}</td><td>${params}</td></tr>`;
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), row]);
    }
  }
  const sections = [...byTag.entries()]
    .map(([tag, rows]) => `<h2>${escapeHtml(tag)}</h2><table><tbody>${rows.join('')}</tbody></table>`)
    .join('');
  return page(
    view.mock ? 'vt-gateway API (mock mode)' : 'vt-gateway API',
    `<h1>${escapeHtml(doc.info?.title ?? 'API')} <span class="muted">${escapeHtml(doc.info?.version ?? '')}</span></h1>${view.mock ? MOCK_BANNER : ''}
<p>${inlineMarkdown(doc.info?.description ?? '')}</p>
<p>Send <code>Authorization: Bearer &lt;token&gt;</code> on <code>/api</code> and <code>x-apikey: &lt;token&gt;</code> on <code>/api/v3</code>. Errors are <code>{"error":{"code","message"}}</code>. Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
${sections}`,
  );
}
