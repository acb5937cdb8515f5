/** `vtg cache warm <file|->`: look up a list at background priority with only the calls the day can spare. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { keyValueLines } from '../format/output.js';
import { indicatorLines, readAll, readTextFile } from '../inputs.js';
import { action } from './common.js';

/** Adds `warm` to the `cache` command (registered after it). */
export function registerCacheWarm(program: Command, ctx: CliContext): void {
  const cache = program.commands.find((c) => c.name() === 'cache');
  if (!cache) return;
  cache
    .command('warm')
    .description('look up a list (one per line, - for stdin) at background priority, spending only the calls the day can spare')
    .argument('<file>', 'file of indicators, or -')
    .action(action(ctx, (file: string) => warm(ctx, file)));
}

async function warm(ctx: CliContext, file: string): Promise<number> {
  const lines = indicatorLines(file === '-' ? await readAll(ctx.io.stdin) : await readTextFile(file));
  if (lines.length === 0) throw new UsageError('no indicators given');
  const r = await (await ctx.backend()).cacheWarm(lines);
  ctx.out.object(r, () =>
    keyValueLines(
      [
        ['spare calls today', String(r.spare)],
        ['indicators', String(r.total)],
        ['already cached', String(r.cached)],
        ['fetched', `${r.fetched} (${r.calls} upstream calls)`],
        ['skipped (no spare quota)', String(r.skipped)],
        ['invalid', String(r.invalid)],
        ['failed', String(r.failed)],
      ],
      ctx.out.paint,
    ),
  );
  return EXIT.ok;
}
