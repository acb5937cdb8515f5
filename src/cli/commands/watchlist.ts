/** `vtg watchlist add|list|show|remove`: named lists of indicators re-checked when due (default daily). */
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { parseInterval, type Watchlist, type WatchlistItem } from '../../gateway/index.js';
import { parseIndicator } from '../../indicators/index.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { keyValueLines } from '../format/output.js';
import { isoTime } from '../format/time.js';
import { indicatorLines, readAll, readTextFile } from '../inputs.js';
import { action, examples } from './common.js';

function interval(text: string): number {
  try {
    return parseInterval(text);
  } catch (err) {
    throw new UsageError(`--every: ${(err as Error).message}`);
  }
}

/** An interval as the `--every` flag spells it: 1d, 12h, 30m. */
function every(ms: number): string {
  if (ms % 604_800_000 === 0) return `${ms / 604_800_000}w`;
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3600_000 === 0) return `${ms / 3600_000}h`;
  return `${Math.round(ms / 60_000)}m`;
}

export function registerWatchlist(program: Command, ctx: CliContext): void {
  const wl = program.command('watchlist').description('named lists of indicators re-checked at background priority when due');
  examples(wl, [
    'vtg watchlist add campaign-x 44d88612fea8a8f36de82e1278abb02f evil.example.com',
    'vtg watchlist add campaign-x iocs.txt --every 12h',
    'cat iocs.txt | vtg watchlist add campaign-x -',
    'vtg watchlist list',
    'vtg watchlist show campaign-x --json',
    'vtg watchlist remove campaign-x',
  ]);
  wl.command('add')
    .description('add indicators (arguments, files with one per line, or - for stdin) to a list, created when missing')
    .argument('<name>', 'list name (letters, digits, ".", "_", "-")')
    .argument('<indicators...>', 'indicator, file or -')
    .option('--every <interval>', 're-check interval: 1d (default), 12h, 30m, 1w', interval)
    .action(action(ctx, (name: string, args: string[], flags: { every?: number }) => add(ctx, name, args, flags)));
  wl.command('list')
    .description('every watchlist with its item count and interval')
    .action(action(ctx, () => list(ctx)));
  wl.command('show')
    .description("a watchlist's items and when each was last checked")
    .argument('<name>')
    .action(action(ctx, (name: string) => show(ctx, name)));
  wl.command('remove')
    .description('remove a watchlist')
    .argument('<name>')
    .action(action(ctx, (name: string) => remove(ctx, name)));
}

/** An argument is an indicator, `-` (stdin, once) or a file of indicators, in that order. */
async function collect(ctx: CliContext, args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  let stdinRead = false;
  for (const arg of args) {
    if (arg === '-') {
      if (!stdinRead) out.push(...indicatorLines(await readAll(ctx.io.stdin)));
      stdinRead = true;
      continue;
    }
    let isIndicator = true;
    try {
      parseIndicator(arg);
    } catch {
      isIndicator = false;
    }
    if (!isIndicator && existsSync(arg) && statSync(arg).isFile()) out.push(...indicatorLines(await readTextFile(arg)));
    else out.push(arg);
  }
  return out;
}

async function add(ctx: CliContext, name: string, args: string[], flags: { every?: number }): Promise<number> {
  const inputs = await collect(ctx, args);
  if (inputs.length === 0) throw new UsageError('no indicators given');
  const backend = await ctx.backend();
  const r = await backend.watchlistAdd(name, inputs, flags.every === undefined ? {} : { everyMs: flags.every });
  for (const bad of r.invalid) ctx.out.warn(`vtg: skipped ${JSON.stringify(bad.input)}: ${bad.error}`);
  ctx.out.object(r, () => [
    `${r.watchlist.name}: ${r.added} added, ${r.existing} already there, ${r.invalid.length} invalid; ${r.watchlist.items} item${r.watchlist.items === 1 ? '' : 's'}, every ${every(r.watchlist.everyMs)}`,
  ]);
  return r.invalid.length > 0 && r.added + r.existing === 0 ? EXIT.usage : EXIT.ok;
}

async function list(ctx: CliContext): Promise<number> {
  const backend = await ctx.backend();
  ctx.out.list(
    await backend.watchlists(),
    [
      { key: 'name' },
      { key: 'items', right: true, text: (w: Watchlist) => String(w.items) },
      { key: 'everyMs', header: 'EVERY', text: (w) => every(w.everyMs) },
      { key: 'createdAt', header: 'CREATED', text: (w) => isoTime(w.createdAt) },
    ],
    { empty: 'no watchlists (vtg watchlist add <name> <indicator|file|->...)', document: (rows) => ({ watchlists: rows }) },
  );
  return EXIT.ok;
}

async function show(ctx: CliContext, name: string): Promise<number> {
  const backend = await ctx.backend();
  const view = await backend.watchlist(name);
  if (!view) {
    ctx.out.warn(`vtg: no watchlist named "${name}"`);
    return EXIT.usage;
  }
  if (ctx.out.mode === 'json' && !ctx.out.fields) {
    ctx.out.json(view);
    return EXIT.ok;
  }
  if (!ctx.out.machine) {
    for (const line of keyValueLines(
      [
        ['watchlist', view.watchlist.name],
        ['every', every(view.watchlist.everyMs)],
        ['items', String(view.watchlist.items)],
      ],
      ctx.out.paint,
    ))
      ctx.out.line(line);
  }
  ctx.out.list(
    view.items,
    [
      { key: 'indicator' },
      { key: 'kind' },
      { key: 'addedAt', header: 'ADDED', text: (i: WatchlistItem) => isoTime(i.addedAt) },
      { key: 'lastCheckedAt', header: 'LAST CHECKED', text: (i) => (i.lastCheckedAt === null ? 'never' : isoTime(i.lastCheckedAt)) },
    ],
    { empty: 'no items' },
  );
  return EXIT.ok;
}

async function remove(ctx: CliContext, name: string): Promise<number> {
  const backend = await ctx.backend();
  if (!(await backend.watchlistRemove(name))) {
    ctx.out.warn(`vtg: no watchlist named "${name}"`);
    return EXIT.usage;
  }
  ctx.out.object({ removed: name }, () => [`removed watchlist ${name}`]);
  return EXIT.ok;
}
