/** `vtg quota --forecast`: when each window runs out at the current pace, what is left at its reset, and tonight's harvest. */
import type { HarvestBudget, QuotaForecast } from '../../gateway/index.js';
import type { CliContext } from '../context.js';
import { keyValueLines } from './output.js';
import { renderTable } from './table.js';
import { isoTime } from './time.js';

export function printForecast(ctx: CliContext, f: QuotaForecast & { harvest: Omit<HarvestBudget, 'forecast'> }): void {
  const out = ctx.out;
  if (out.mode === 'json' && !out.fields) {
    out.json(f);
    return;
  }
  if (out.machine) {
    out.list(
      f.windows.map((w) => ({ ...w, pacePerHour: f.pacePerHour })),
      [{ key: 'window' }, { key: 'used' }, { key: 'limit' }, { key: 'remaining' }, { key: 'exhaustsAt' }, { key: 'leftAtReset' }, { key: 'resetsAt' }, { key: 'pacePerHour' }],
    );
    return;
  }
  const p = out.paint;
  for (const l of keyValueLines(
    [
      ['key', f.key],
      ['pace', `${f.pacePerHour} calls/hour (last 6 h)`],
      ['harvest tonight', f.harvest.budget > 0 ? `${f.harvest.budget} calls (${f.harvest.reason})` : `none (${f.harvest.reason})`],
    ],
    p,
  ))
    out.line(l);
  out.line();
  const header = ['WINDOW', 'USED', 'LIMIT', 'REMAINING', 'RUNS OUT', 'LEFT AT RESET', 'RESETS'].map((h) => p('bold', h));
  const rows = f.windows.map((w) => [
    w.window,
    String(w.used),
    String(w.limit),
    String(w.remaining),
    w.exhaustsAt ? p('red', isoTime(w.exhaustsAt)) : 'not before reset',
    String(w.leftAtReset),
    isoTime(w.resetsAt),
  ]);
  for (const l of renderTable(header, rows, { right: new Set([1, 2, 3, 5]) })) out.line(l);
}
