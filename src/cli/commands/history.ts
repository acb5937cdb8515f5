/** `vtg history <indicator>`: the detection time series, with changes marked. */
import type { Command } from 'commander';
import type { Change, Observation } from '../../gateway/index.js';
import type { ProviderName } from '../../providers/types.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paintVerdict } from '../format/color.js';
import { detectionsText } from '../format/lookup-rows.js';
import { isoTime } from '../format/time.js';
import { action, examples, providerOption, wholeNumber } from './common.js';

interface HistoryRow {
  at: number;
  verdict: string;
  detections: number | null;
  engines: number | null;
  threat: string | null;
  changed: boolean;
  change: string;
  observation: Observation;
}

function describe(c: Change): string {
  const parts: string[] = [];
  if (c.reasons.includes('verdict')) parts.push(`${c.from.verdict} -> ${c.to.verdict}`);
  if (c.reasons.includes('detections')) parts.push(`${c.from.detections ?? 0} -> ${c.to.detections ?? 0} engines`);
  if (c.reasons.includes('threat_label')) parts.push(`label ${c.from.threatLabel ?? '-'} -> ${c.to.threatLabel ?? '-'}`);
  return parts.join(', ');
}

export function registerHistory(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('history')
    .description('the detection history of one indicator (every upstream answer, and for a file the scans where local YARA rules matched it), changes marked with *')
    .argument('<indicator>', 'hash, URL, domain or IP')
    .addOption(providerOption('provider (default virustotal)'))
    .option('--limit <n>', 'most recent N observations', wholeNumber, 100)
    .action(action(ctx, (input: string, flags: { provider?: ProviderName; limit: number }) => history(ctx, input, flags)));
  examples(cmd, ['vtg history 44d88612fea8a8f36de82e1278abb02f', 'vtg history example.com --json']);
}

async function history(ctx: CliContext, input: string, flags: { provider?: ProviderName; limit: number }): Promise<number> {
  const backend = await ctx.backend();
  const view = await backend.history(input, { limit: flags.limit, ...(flags.provider ? { provider: flags.provider } : {}) });
  const changesAt = new Map<number, Change>();
  for (const c of view.changes) if (c.provider === view.provider && c.id === view.indicator.id) changesAt.set(c.at, c);
  const rows: HistoryRow[] = view.observations.map((o) => {
    const c = changesAt.get(o.at);
    return {
      at: o.at,
      verdict: o.verdict,
      detections: o.detections ?? o.stats?.malicious ?? null,
      engines: o.stats?.engines ?? null,
      threat: o.threatLabel ?? null,
      changed: c !== undefined,
      change: c ? describe(c) : '',
      observation: o,
    };
  });
  if (ctx.out.mode === 'json' && !ctx.out.fields) {
    ctx.out.json(view);
    return EXIT.ok;
  }
  if (!ctx.out.machine) ctx.out.line(`${view.indicator.value} (${view.indicator.kind}, ${view.provider}): ${rows.length} observation${rows.length === 1 ? '' : 's'}, ${changesAt.size} change${changesAt.size === 1 ? '' : 's'}`);
  ctx.out.list(
    rows,
    [
      { key: 'changed', header: ' ', text: (r, p) => (r.changed ? p('yellow', '*') : ' '), value: (r) => r.changed },
      { key: 'at', header: 'TIME (UTC)', text: (r) => isoTime(r.at), value: (r) => isoTime(r.at) },
      { key: 'verdict', text: (r, p) => paintVerdict(p, r.verdict) },
      { key: 'detections', right: true, text: (r) => detectionsText(r.detections, r.engines) },
      { key: 'engines', hidden: true, csv: true },
      { key: 'threat', text: (r) => r.threat ?? '' },
      { key: 'change', text: (r, p) => p('yellow', r.change) },
    ],
    { empty: view.yara?.length ? 'no VirusTotal observations yet' : 'no observations yet (look it up first: vtg lookup <indicator>)' },
  );
  if (!ctx.out.machine && view.yara?.length) {
    ctx.out.line('');
    ctx.out.line(`local YARA rules matched it in ${view.yara.length} scan${view.yara.length === 1 ? '' : 's'}:`);
    for (const y of view.yara) ctx.out.line(`  ${isoTime(y.at)}  ${ctx.out.paint('red', y.matches.map((m) => m.rule).join(', '))}  in ${y.name}`);
  }
  return EXIT.ok;
}
