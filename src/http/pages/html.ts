/** Tiny helpers for the self-contained HTML pages (no CDN, no scripts from elsewhere). */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export const PAGE_STYLE = `
  body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1d2430; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
  code { font: 13px ui-monospace, monospace; } .method { font-weight: 700; text-transform: uppercase; width: 4.5rem; }
  .get { color: #08660f; } .post { color: #8a4b00; } .delete { color: #a3111a; }
  .banner { background: #fff3cd; border: 1px solid #e0c36a; padding: .6rem 1rem; border-radius: 4px; }
  .muted { color: #667; } .bar { background: #eee; height: .6rem; border-radius: 3px; } .bar > span { display: block; height: 100%; background: #3a7bd5; border-radius: 3px; }
`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body>${body}</body></html>`;
}

/** The banner every page shows when the gateway runs on its built-in simulator. */
export const MOCK_BANNER =
  '<p class="banner" role="status"><strong>Mock mode:</strong> no VirusTotal key is configured, so every answer comes from the built-in simulator. Verdicts are simulated.</p>';
