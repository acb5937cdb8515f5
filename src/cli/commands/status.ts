/** `vtg health`, `vtg providers` and `vtg changes`: how the gateway is doing and what changed. */
import type { Command } from 'commander';
import type { Change } from '../../gateway/index.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paintVerdict } from '../format/color.js';
import { keyValueLines } from '../format/output.js';
import { quotaLeftText, statusText } from '../format/quota.js';
import { isoTime, shortDuration } from '../format/time.js';
import { action, examples, seconds, wholeNumber } from './common.js';

export function registerStatus(program: Command, ctx: CliContext): void {
  examples(
    program
      .command('health')
      .description('gateway health: store, Redis, key, upstream reachability, providers (exit 3 when degraded)')
      .action(action(ctx, () => health(ctx))),
    ['vtg health', 'vtg --server http://127.0.0.1:8290 health --json'],
  );
  examples(
    program
      .command('providers')
      .description('the upstream sources, whether each is configured, and its quota')
      .action(action(ctx, () => providers(ctx))),
    ['vtg providers'],
  );
  examples(
    program
      .command('changes')
      .description('recent verdict changes across all indicators (from the history)')
      .option('--limit <n>', 'most recent N changes', wholeNumber, 50)
      .option('--since <sec>', 'only changes in the last SEC seconds', seconds)
      .action(action(ctx, (flags: { limit: number; since?: number }) => changes(ctx, flags))),
    ['vtg changes --since 86400'],
  );
}

async function health(ctx: CliContext): Promise<number> {
  const backend = await ctx.backend();
  const h = await backend.health();
  const p = ctx.out.paint;
  ctx.out.object(h, () => [
    ...keyValueLines(
      [
        ['status', h.status === 'ok' ? p('green', 'ok') : p('red', h.status)],
        ['mode', `${backend.kind} (${backend.where})`],
        ['mock', h.mock ? p('yellow', 'yes (built-in simulator)') : 'no'],
        ['key configured', h.keyConfigured ? 'yes' : 'no'],
        ['upstream reachable', h.upstreamReachable === null ? 'unknown yet' : h.upstreamReachable ? 'yes' : p('red', 'no')],
        ['store', h.store],
        ['redis', h.redis],
        ['version', h.version],
        ['uptime', shortDuration(h.uptimeMs)],
      ],
      p,
    ),
    ...h.providers.map((s) => `  ${s.name.padEnd(10)} ${s.enabled ? `enabled${s.quota ? `, quota ${statusText(s.quota.status, p)}` : ''}` : p('dim', s.note ?? 'not configured')}`),
  ]);
  return h.status === 'ok' ? EXIT.ok : EXIT.failure;
}

async function providers(ctx: CliContext): Promise<number> {
  const backend = await ctx.backend();
  const list = await backend.providers();
  ctx.out.list(list, [
    { key: 'name' },
    { key: 'enabled', text: (s, p) => (s.enabled ? p('green', 'yes') : p('dim', 'no')) },
    { key: 'status', value: (s) => s.quota?.status ?? null, text: (s, p) => (s.quota ? statusText(s.quota.status, p) : '-') },
    { key: 'quotaLeft', header: 'QUOTA LEFT', value: (s) => (s.quota ? quotaLeftText(s.quota) : null) },
    { key: 'key', value: (s) => s.quota?.key ?? null },
    { key: 'note', text: (s, p) => p('dim', s.note ?? '') },
  ]);
  return EXIT.ok;
}

async function changes(ctx: CliContext, flags: { limit: number; since?: number }): Promise<number> {
  const backend = await ctx.backend();
  const list = await backend.changes({ limit: flags.limit, ...(flags.since !== undefined ? { since: Date.now() - flags.since * 1000 } : {}) });
  ctx.out.list(
    list,
    [
      { key: 'at', header: 'TIME (UTC)', text: (c: Change) => isoTime(c.at) },
      { key: 'indicator' },
      { key: 'kind' },
      { key: 'provider', hidden: true },
      { key: 'from', text: (c, p) => `${paintVerdict(p, c.from.verdict)} ${c.from.detections ?? '-'}` },
      { key: 'to', text: (c, p) => `${paintVerdict(p, c.to.verdict)} ${c.to.detections ?? '-'}` },
      { key: 'reasons', text: (c) => c.reasons.join(',') },
    ],
    { empty: 'no changes recorded' },
  );
  return EXIT.ok;
}
