/** `vtg cache info|list|clear|prune`: the result cache. */
import type { Command } from 'commander';
import type { CacheEntry } from '../../cache/index.js';
import type { IndicatorKind } from '../../indicators/index.js';
import type { ProviderName } from '../../providers/types.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { paintVerdict } from '../format/color.js';
import { detectionsText } from '../format/lookup-rows.js';
import { keyValueLines } from '../format/output.js';
import { isoTime, shortDuration } from '../format/time.js';
import { action, examples, providerOption, wholeNumber } from './common.js';

const KINDS: IndicatorKind[] = ['file', 'url', 'domain', 'ip'];

function kind(value: string): IndicatorKind {
  if (!KINDS.includes(value as IndicatorKind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}, got "${value}"`);
  return value as IndicatorKind;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function registerCache(program: Command, ctx: CliContext): void {
  const cache = program.command('cache').description('inspect and manage the result cache');
  examples(cache, ['vtg cache info', 'vtg cache list --kind file --limit 20', 'vtg cache clear --kind url', 'vtg cache clear 44d88612fea8a8f36de82e1278abb02f', 'vtg cache prune']);

  cache
    .command('info')
    .description('entries per kind and provider, size, hit ratio, limits')
    .action(action(ctx, () => info(ctx)));

  cache
    .command('list')
    .description('cached entries, newest first')
    .option('--kind <kind>', `only this kind (${KINDS.join(', ')})`, kind)
    .addOption(providerOption('only this provider'))
    .option('--limit <n>', 'entries per page (1-1000)', wholeNumber, 50)
    .option('--cursor <cursor>', 'next page (printed after a full page)')
    .action(action(ctx, (flags: { kind?: IndicatorKind; provider?: ProviderName; limit: number; cursor?: string }) => list(ctx, flags)));

  cache
    .command('clear')
    .description('remove entries: one indicator, a kind, a provider, or --all (asks nothing; prints what was removed)')
    .argument('[indicator]', 'remove this indicator only')
    .option('--all', 'remove every entry')
    .option('--kind <kind>', `remove every entry of this kind (${KINDS.join(', ')})`, kind)
    .addOption(providerOption('only entries of this provider'))
    .action(action(ctx, (indicator: string | undefined, flags: { all?: boolean; kind?: IndicatorKind; provider?: ProviderName }) => clear(ctx, indicator, flags)));

  cache
    .command('prune')
    .description('apply the rotation limits now (age, entries per kind, size) and reclaim space')
    .action(action(ctx, () => prune(ctx)));
}

async function info(ctx: CliContext): Promise<number> {
  const backend = await ctx.backend();
  const i = await backend.cacheInfo();
  const p = ctx.out.paint;
  ctx.out.object(i, () => {
    const pairs: Array<[string, string]> = [
      ['path', i.path],
      ['size', bytes(i.sizeBytes)],
      ['entries', KINDS.map((k) => `${k} ${i.entries[k] ?? 0}`).join(', ')],
      ['by provider', Object.entries(i.byProvider).map(([k, v]) => `${k} ${v}`).join(', ') || '-'],
      ['expired (stale)', String(i.expired)],
      ['oldest', isoTime(i.oldestFetchedAt) || '-'],
      ['newest', isoTime(i.newestFetchedAt) || '-'],
      ['hits / misses', `${i.hits} / ${i.misses} (hit ratio ${(i.hitRatio * 100).toFixed(1)}%)`],
      ['memory tier', `${i.memory.entries}/${i.memory.maxEntries} entries`],
      ['redis tier', i.redis],
    ];
    if (i.limits) pairs.push(['limits', `${bytes(i.limits.maxBytes)}, ${shortDuration(i.limits.maxAgeMs)}, ${i.limits.maxPerKind} per kind`]);
    return keyValueLines(pairs, p);
  });
  return EXIT.ok;
}

interface EntryRow {
  indicator: string;
  kind: string;
  provider: string;
  verdict: string;
  detections: number | null;
  engines: number | null;
  fetchedAt: number;
  expiresAt: number;
  hits: number;
  expired: boolean;
  entry: CacheEntry;
}

async function list(ctx: CliContext, flags: { kind?: IndicatorKind; provider?: ProviderName; limit: number; cursor?: string }): Promise<number> {
  if (flags.limit < 1 || flags.limit > 1000) throw new UsageError('--limit must be 1-1000');
  const backend = await ctx.backend();
  const page = await backend.cacheList({
    limit: flags.limit,
    ...(flags.kind ? { kind: flags.kind } : {}),
    ...(flags.provider ? { provider: flags.provider } : {}),
    ...(flags.cursor ? { cursor: flags.cursor } : {}),
  });
  const now = Date.now();
  const rows: EntryRow[] = page.items.map((e) => ({
    // file entries are keyed by each of their hashes (md5, sha1, sha256): show the key
    indicator: e.report.kind === 'file' ? e.report.id : e.report.indicator,
    kind: e.report.kind,
    provider: e.report.provider,
    verdict: e.report.found ? e.report.verdict : 'not_found',
    detections: e.report.detections ?? e.report.stats?.malicious ?? null,
    engines: e.report.engines ?? e.report.stats?.engines ?? null,
    fetchedAt: e.fetchedAt,
    expiresAt: e.expiresAt,
    hits: e.hits,
    expired: e.expiresAt <= now,
    entry: e,
  }));
  ctx.out.list(
    rows,
    [
      { key: 'indicator' },
      { key: 'kind' },
      { key: 'provider' },
      { key: 'verdict', text: (r, p) => paintVerdict(p, r.verdict) },
      { key: 'detections', right: true, text: (r) => detectionsText(r.detections, r.engines) },
      { key: 'engines', hidden: true, csv: true },
      { key: 'fetchedAt', header: 'AGE', text: (r) => shortDuration(now - r.fetchedAt) },
      { key: 'expiresAt', header: 'EXPIRES', text: (r, p) => (r.expired ? p('dim', 'expired') : `in ${shortDuration(r.expiresAt - now)}`) },
      { key: 'hits', right: true },
    ],
    { document: (items) => ({ items, nextCursor: page.nextCursor }), empty: 'the cache is empty' },
  );
  if (page.nextCursor && !ctx.out.machine) ctx.out.info(`vtg: more entries: --cursor ${page.nextCursor}`);
  return EXIT.ok;
}

async function clear(ctx: CliContext, indicator: string | undefined, flags: { all?: boolean; kind?: IndicatorKind; provider?: ProviderName }): Promise<number> {
  const given = [indicator !== undefined, flags.all === true, flags.kind !== undefined].filter(Boolean).length;
  if (given === 0) throw new UsageError('say what to clear: an indicator, --kind K, or --all');
  if (given > 1) throw new UsageError('give only one of: an indicator, --kind K, --all');
  const backend = await ctx.backend();
  const removed = await backend.cacheClear({
    ...(indicator !== undefined ? { input: indicator } : {}),
    ...(flags.kind ? { kind: flags.kind } : {}),
    ...(flags.provider ? { provider: flags.provider } : {}),
  });
  const what = indicator !== undefined ? indicator : flags.kind ? `every ${flags.kind} entry` : 'every entry';
  ctx.out.object({ removed, ...(indicator !== undefined ? { indicator } : {}), ...(flags.kind ? { kind: flags.kind } : {}), ...(flags.provider ? { provider: flags.provider } : {}) }, () => [
    `removed ${removed} cache ${removed === 1 ? 'entry' : 'entries'} (${what}${flags.provider ? `, ${flags.provider}` : ''})`,
  ]);
  return EXIT.ok;
}

async function prune(ctx: CliContext): Promise<number> {
  const backend = await ctx.backend();
  const r = await backend.cachePrune();
  ctx.out.object(r, () =>
    keyValueLines(
      [
        ['removed', `${r.removed.total} (age ${r.removed.age}, count ${r.removed.count}, size ${r.removed.size})`],
        ['size', `${bytes(r.sizeBefore)} -> ${bytes(r.sizeAfter)}`],
        ['reclaimed pages', String(r.reclaimedPages)],
        ...(r.overSizeLimit ? ([['warning', 'still over the size limit (other tables are large)']] as Array<[string, string]>) : []),
      ],
      ctx.out.paint,
    ),
  );
  return EXIT.ok;
}
