/** `vtg quota`: per window used/limit/remaining with a bar, status, backoff, pause and key label (never the key). */
import type { Command } from 'commander';
import type { QuotaView } from '../../gateway/index.js';
import type { ProviderName } from '../../providers/types.js';
import type { CliContext } from '../context.js';
import { statusFor } from '../../governor/status.js';
import { EXIT } from '../exit-codes.js';
import { printForecast } from '../format/forecast.js';
import { keyValueLines } from '../format/output.js';
import { quotaBar, resetText, statusText } from '../format/quota.js';
import { renderTable } from '../format/table.js';
import { etaText, isoTime } from '../format/time.js';
import { action, examples, PROVIDERS } from './common.js';

export function registerQuota(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('quota')
    .description('show the quota: used/limit/remaining per window, status, backoff and pause (the key is shown by label only)')
    .argument('[provider]', `one of ${PROVIDERS.join(', ')} (default virustotal)`)
    .option('--all', 'every configured provider')
    .option('--forecast', 'VirusTotal at the current pace: when each window runs out, calls left at its reset, tonight\'s harvest')
    .action(action(ctx, (provider: string | undefined, flags: { all?: boolean; forecast?: boolean }) => quota(ctx, provider, flags)));
  examples(cmd, ['vtg quota', 'vtg quota --json | jq .windows', 'vtg quota --all', 'vtg quota --forecast']);
}

function windowRows(q: QuotaView) {
  // each window's own status; the key's overall status (its hottest window) beside it; a pool's keys by label after it
  const rows = q.windows.map((w) => ({ provider: q.provider, key: q.key, ...w, status: windowStatus(w), keyStatus: q.status as string }));
  for (const k of q.keys ?? []) {
    const keyStatus = k.revoked ? 'revoked' : k.status;
    rows.push(...k.windows.map((w) => ({ provider: q.provider, key: k.label, ...w, status: windowStatus(w), keyStatus })));
  }
  return rows;
}

/** A key pool's members: label, state and used/limit per window (never the key). */
function poolLines(ctx: CliContext, q: QuotaView): string[] {
  if (!q.keys?.length) return [];
  const p = ctx.out.paint;
  const windows = q.keys[0]?.windows.map((w) => w.window) ?? [];
  const header = ['KEY', 'STATE', ...windows.map((w) => w.toUpperCase())].map((h) => p('bold', h));
  const rows = q.keys.map((k) => [
    k.label,
    k.revoked ? p('red', 'revoked (credentials refused)') : k.pausedUntil ? p('yellow', 'paused') : 'in rotation',
    ...windows.map((name) => {
      const w = k.windows.find((x) => x.window === name);
      return w ? `${w.used}/${w.limit}` : '-';
    }),
  ]);
  return ['', ...renderTable(header, rows)];
}

/** A window's own status (healthy/warning/critical): the governor's when it reports one, else by the same thresholds. */
function windowStatus(w: QuotaView['windows'][number]): string {
  const s = (w as { status?: unknown }).status;
  return typeof s === 'string' ? s : statusFor(w.percent);
}

/** The view with each window's status in it (JSON readers see what the table shows). */
function withWindowStatus(q: QuotaView): QuotaView {
  return { ...q, windows: q.windows.map((w) => ({ ...w, status: windowStatus(w) })) };
}

function human(ctx: CliContext, q: QuotaView): string[] {
  const p = ctx.out.paint;
  const now = Date.now();
  const lines = keyValueLines(
    [
      ['provider', `${q.provider}${q.mock ? p('yellow', ' (simulator)') : ''}`],
      ['key', q.key],
      ['status', statusText(q.status, p)],
      ['can request', q.canMakeRequest ? 'yes' : p('red', 'no')],
      ['backoff', q.recommendedBackoffMs > 0 ? etaText(q.recommendedBackoffMs) : 'none'],
      ['paused until', q.pausedUntil ? isoTime(q.pausedUntil) : '-'],
      ['key healthy', q.keyHealthy ? 'yes' : p('red', 'no (credentials refused)')],
      ['reconciled', q.lastReconciledAt ? isoTime(q.lastReconciledAt) : 'never'],
    ],
    p,
  );
  const header = ['WINDOW', 'USED', 'LIMIT', 'REMAINING', '', 'RESETS', 'STATUS'].map((h) => p('bold', h));
  const rows = q.windows.map((w) => [w.window, String(w.used), String(w.limit), String(w.remaining), quotaBar(w, p), resetText(w, now), statusText(windowStatus(w), p)]);
  return [...lines, '', ...renderTable(header, rows, { right: new Set([1, 2, 3]) }), ...poolLines(ctx, q)];
}

async function quota(ctx: CliContext, provider: string | undefined, flags: { all?: boolean; forecast?: boolean }): Promise<number> {
  if (flags.forecast) {
    printForecast(ctx, await (await ctx.backend()).forecast());
    return EXIT.ok;
  }
  if (provider !== undefined && !PROVIDERS.includes(provider as ProviderName)) {
    ctx.out.warn(`vtg: unknown provider "${provider}" (use ${PROVIDERS.join(', ')})`);
    return EXIT.usage;
  }
  const backend = await ctx.backend();
  const views: QuotaView[] = [];
  if (flags.all) {
    for (const s of await backend.providers()) if (s.quota) views.push({ ...s.quota, provider: s.name, mock: backend.mock });
  } else {
    views.push(await backend.quota(provider as ProviderName | undefined));
  }
  const out = ctx.out;
  if (out.mode === 'csv' || out.mode === 'ndjson') {
    out.list(views.flatMap(windowRows), [
      { key: 'provider' },
      { key: 'window' },
      { key: 'used' },
      { key: 'limit' },
      { key: 'remaining' },
      { key: 'percent' },
      { key: 'resetsAt' },
      { key: 'status' },
      { key: 'keyStatus' },
      { key: 'key' },
    ]);
  } else if (out.mode === 'json') {
    if (flags.all) out.list(views.map(withWindowStatus), []);
    else out.object(withWindowStatus(views[0] as QuotaView), () => []);
  } else {
    views.forEach((v, i) => {
      if (i > 0) out.line();
      for (const l of human(ctx, v)) out.line(l);
    });
  }
  return EXIT.ok;
}
