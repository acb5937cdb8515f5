/** `vtg refresh --budget N [--dry-run]`: one harvest by hand: what it refreshes and why, then the changes found. */
import type { Command } from 'commander';
import type { HarvestRefreshed } from '../../gateway/index.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paintVerdict } from '../format/color.js';
import { action, examples, wholeNumber } from './common.js';

export function registerRefresh(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('refresh')
    .description('spend up to N upstream calls refreshing, best first: due watchlist items, then cached answers most likely to have changed')
    .requiredOption('--budget <n>', 'upstream calls to spend at most', wholeNumber)
    .option('--dry-run', 'print the plan (what and why) without calling upstream')
    .action(action(ctx, (flags: { budget: number; dryRun?: boolean }) => refresh(ctx, flags)));
  examples(cmd, ['vtg refresh --budget 10 --dry-run', 'vtg refresh --budget 50 --json']);
}

async function refresh(ctx: CliContext, flags: { budget: number; dryRun?: boolean }): Promise<number> {
  const backend = await ctx.backend();
  const r = await backend.refresh({ budget: flags.budget, dryRun: flags.dryRun === true });
  if (ctx.out.mode === 'json' && !ctx.out.fields) {
    ctx.out.json(r);
    return EXIT.ok;
  }
  const rows: Array<Partial<HarvestRefreshed> & (typeof r.planned)[number]> = r.dryRun ? r.planned : r.refreshed;
  if (!ctx.out.machine) ctx.out.line(r.dryRun ? `plan: ${r.planned.length} refresh${r.planned.length === 1 ? '' : 'es'} for a budget of ${r.budget}` : `refreshed ${r.refreshed.length}: ${r.calls} upstream call${r.calls === 1 ? '' : 's'}, ${r.changes} change${r.changes === 1 ? '' : 's'} found${r.stopped ? ` (stopped: ${r.stopped})` : ''}`);
  ctx.out.list(
    rows,
    [
      { key: 'score', right: true, text: (x) => x.score.toFixed(1) },
      { key: 'indicator' },
      { key: 'source' },
      { key: 'reason' },
      ...(r.dryRun
        ? []
        : [
            { key: 'verdict' as const, text: (x: (typeof rows)[number], p: Parameters<typeof paintVerdict>[0]) => (x.ok === false ? p('red', x.error ?? 'error') : paintVerdict(p, x.verdict ?? '')) },
            {
              key: 'change' as const,
              text: (x: (typeof rows)[number], p: Parameters<typeof paintVerdict>[0]) =>
                x.change ? p('yellow', `${x.change.from.verdict} -> ${x.change.to.verdict} (${x.change.from.detections ?? 0} -> ${x.change.to.detections ?? 0})`) : '',
            },
          ]),
    ],
    { empty: 'nothing to refresh' },
  );
  return EXIT.ok;
}
