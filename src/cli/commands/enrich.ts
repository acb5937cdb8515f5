/**
 * `vtg enrich <indicator...>`: every applicable source (VirusTotal, URLhaus, DShield, SPUR), merged;
 * `vtg enrich cowrie <paths...>` enriches honeypot logs (enrich-cowrie.ts). The indicator form is the
 * default subcommand, so the two can share option names (--providers, --priority) with their own defaults.
 */
import type { Command } from 'commander';
import type { EnrichResult, EnrichSource, Priority } from '../../gateway/index.js';
import type { ProviderName } from '../../providers/types.js';
import type { CliContext } from '../context.js';
import { exitCodeForCode, UsageError } from '../errors.js';
import { EXIT, worstExit } from '../exit-codes.js';
import { collectFailOn, type FailRule, gate } from '../fail-on.js';
import { paintVerdict } from '../format/color.js';
import { detectionsText, sourceText } from '../format/lookup-rows.js';
import { permalinkOf } from '../../indicators/index.js';
import { indicatorsFromArgs } from '../inputs.js';
import { action, examples, PROVIDERS, parseProviders, priorityOption, reportError } from './common.js';
import { registerEnrichCowrie } from './enrich-cowrie.js';

interface EnrichFlags {
  providers?: string;
  priority: Priority;
  cacheOnly?: boolean;
  failOn?: FailRule[];
}

export function registerEnrich(program: Command, ctx: CliContext): void {
  const parent = program
    .command('enrich')
    .description('ask every applicable source about indicators and merge the verdicts; `enrich cowrie` enriches honeypot logs')
    .addHelpText('after', '\n`vtg enrich <indicator...>` runs `vtg enrich indicators <indicator...>` (see `vtg enrich indicators --help`).\n');
  const cmd = parent
    .command('indicators', { isDefault: true })
    .description('ask every applicable source about each indicator (VirusTotal + URLhaus; IPs also DShield + SPUR) and merge the verdicts (the default: `vtg enrich <indicator...>`)')
    .argument('<indicator...>', 'indicators; `-` reads stdin')
    .option('--providers <list>', `only these sources (comma-separated: ${PROVIDERS.join(', ')})`)
    .addOption(priorityOption('interactive'))
    .option('--cache-only', 'never spend quota: every source answers from the cache or reports "not cached"')
    .option('--fail-on <rule>', 'exit 1 when the VirusTotal report meets RULE; repeatable', collectFailOn)
    .action(action(ctx, (args: string[], flags: EnrichFlags) => enrich(ctx, args, flags)));
  examples(cmd, ['vtg enrich 185.220.101.1', 'vtg enrich evil.example --json', 'vtg enrich 1.2.3.4 --providers dshield,spur', 'vtg enrich 1.2.3.4 --cache-only']);
  registerEnrichCowrie(parent, ctx);
}

function sourceLine(ctx: CliContext, s: EnrichSource): string {
  const p = ctx.out.paint;
  const name = s.provider.padEnd(11);
  if (s.ok) {
    const r = s.result.report;
    const verdict = r.found ? paintVerdict(p, r.verdict) : p('dim', 'not_found');
    const det = r.detections !== undefined || r.stats ? ` ${detectionsText(r.detections ?? r.stats?.malicious ?? null, r.engines ?? r.stats?.engines ?? null, r.stats?.suspicious)}` : '';
    const label = r.threatLabel ? `  ${r.threatLabel}` : '';
    return `  ${name}${verdict}${det}${label}  ${p('dim', sourceText(s.result.source, s.result.ageMs))}`;
  }
  if ('skipped' in s) return `  ${name}${p('dim', `skipped: ${s.skipped}`)}`;
  return `  ${name}${p('red', `error: ${s.error.message}`)}`;
}

async function enrich(ctx: CliContext, args: string[], flags: EnrichFlags): Promise<number> {
  const providers = parseProviders(flags.providers);
  const inputs = await indicatorsFromArgs(args, ctx.io);
  if (inputs.length === 0) throw new UsageError('no indicators given');
  const backend = await ctx.backend();
  const results: EnrichResult[] = [];
  const codes: number[] = [];
  for (const input of inputs) {
    try {
      const r = await backend.enrich(input, { priority: flags.priority, ...(providers ? { providers } : {}), ...(flags.cacheOnly ? { cacheOnly: true } : {}) });
      results.push(r);
      for (const s of r.sources) if (!s.ok && 'error' in s) codes.push(exitCodeForCode(s.error.code));
    } catch (err) {
      codes.push(reportError(ctx, input, err));
    }
  }
  const out = ctx.out;
  if (out.mode === 'table') {
    results.forEach((r, i) => {
      if (i > 0) out.line();
      out.line(`${out.paint('bold', r.indicator.value)} (${r.indicator.kind})  overall: ${paintVerdict(out.paint, r.verdict)}`);
      for (const s of r.sources) out.line(sourceLine(ctx, s));
    });
  } else {
    const verdictOf = (r: EnrichResult, name: ProviderName): string | null => {
      const s = r.sources.find((x) => x.provider === name);
      return !s ? null : s.ok ? (s.result.report.found ? s.result.report.verdict : 'not_found') : 'skipped' in s ? 'skipped' : 'error';
    };
    const rows = results.map((r) => ({
      indicator: r.indicator.value,
      kind: r.indicator.kind,
      verdict: r.verdict,
      ...Object.fromEntries(PROVIDERS.map((name) => [name, verdictOf(r, name)])),
      // an older server's answer has no permalink: the indicator's page then
      permalink: r.permalink ?? permalinkOf(r.indicator.kind, r.indicator.id),
      result: r,
    }));
    out.list(rows, [{ key: 'indicator' }, { key: 'kind' }, { key: 'verdict' }, ...PROVIDERS.map((name) => ({ key: name })), { key: 'permalink', hidden: true }]);
  }
  const vt = results.flatMap((r) => r.sources.flatMap((s) => (s.ok && s.provider === 'virustotal' ? [{ subject: r.indicator.value, report: s.result.report }] : [])));
  return worstExit(...codes, gate(flags.failOn ?? [], vt, (l) => out.warn(l)), EXIT.ok);
}
