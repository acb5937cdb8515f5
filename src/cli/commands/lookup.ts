/** `vtg lookup <indicator...>`: hashes, URLs, domains and IPs, mixed; `-` reads stdin. */
import type { Command } from 'commander';
import type { Priority } from '../../gateway/index.js';
import { tryParseIndicator } from '../../indicators/index.js';
import type { ProviderName } from '../../providers/types.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT, worstExit } from '../exit-codes.js';
import { collectFailOn, type FailRule, gate } from '../fail-on.js';
import { LOOKUP_COLUMNS, type LookupRecord, lookupRecord } from '../format/lookup-rows.js';
import { indicatorsFromArgs, indicatorsFromText } from '../inputs.js';
import { createProgress, governorEta } from '../progress.js';
import { quotaLeftText } from '../format/quota.js';
import { action, examples, mapLimit, priorityOption, providerOption, reportError, seconds } from './common.js';

const PROGRESS_FROM = 20;

interface LookupFlags {
  extract?: string[];
  maxAge?: number;
  stale: boolean;
  wait: boolean;
  cacheOnly?: boolean;
  priority: Priority;
  provider?: ProviderName;
  failOn?: FailRule[];
  concurrency: number;
}

export function registerLookup(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('lookup')
    .alias('l')
    .description('look up hashes, URLs, domains and IPs (mixed; defanged input accepted)')
    .argument('[indicator...]', 'indicators; `-` reads them from stdin, one per line (blank lines and # comments skipped)')
    .option('-e, --extract <file>', 'pull every indicator out of free text in FILE (`-` = stdin); repeatable', (v: string, p: string[] = []) => [...p, v])
    .option('--max-age <sec>', 'refetch when the cached answer is older than this (0 forces a fresh answer)', seconds)
    .option('--no-stale', 'never answer an expired cache entry, even when the quota is out')
    .option('--no-wait', 'fail at once (exit 3) instead of waiting when the quota is out and nothing is cached')
    .option('--cache-only', 'never spend quota: answer from the cache or fail (exit 3)')
    .addOption(priorityOption('interactive'))
    .addOption(providerOption('provider to ask (default virustotal)'))
    .option('--fail-on <rule>', 'exit 1 when a report meets RULE: malicious>=N, suspicious[>=N], detections>=N; repeatable', collectFailOn)
    .option('--concurrency <n>', 'lookups in flight at once (the quota governor paces upstream calls anyway)', (v) => Math.max(1, Number.parseInt(v, 10) || 1), 8)
    .action(action(ctx, (args: string[], flags: LookupFlags) => lookup(ctx, args, flags)));
  examples(cmd, [
    'vtg lookup 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
    'vtg lookup evil[.]example hxxp://1.2.3[.]4/x.sh 8.8.8.8',
    'cat iocs.txt | vtg lookup - --json',
    'vtg lookup --extract report.txt --csv --fields indicator,verdict,detections',
    "vtg lookup <sha256> --fail-on 'malicious>=1'   # CI gate: exit 1 when detected (quote the rule: >= is a shell redirect)",
    'vtg lookup <hash> --cache-only --no-stale       # never spend quota',
  ]);
}

async function lookup(ctx: CliContext, args: string[], flags: LookupFlags): Promise<number> {
  const inputs = await indicatorsFromArgs(args, ctx.io);
  for (const file of flags.extract ?? []) inputs.push(...(await indicatorsFromText(file, ctx.io)));
  if (inputs.length === 0) throw new UsageError('no indicators given (pass them as arguments, `-` for stdin, or --extract FILE)');

  let code: number = EXIT.ok;
  const valid: string[] = [];
  for (const input of inputs) {
    const parsed = tryParseIndicator(input);
    if (parsed.ok) valid.push(input);
    else {
      ctx.out.warn(`vtg: invalid indicator ${parsed.error}`);
      code = Math.max(code, EXIT.usage);
    }
  }
  if (valid.length === 0) return code;

  const backend = await ctx.backend();
  const options = {
    priority: flags.priority,
    ...(flags.provider ? { provider: flags.provider } : {}),
    ...(flags.maxAge !== undefined ? { maxAgeMs: flags.maxAge * 1000 } : {}),
    ...(flags.stale === false ? { allowStale: false } : {}),
    ...(flags.wait === false ? { waitForQuota: false } : {}),
    ...(flags.cacheOnly ? { cacheOnly: true } : {}),
  };
  const records: LookupRecord[] = [];
  const failures: number[] = [];
  // many indicators can take a while (the quota paces upstream calls): show progress on stderr
  let finished = 0;
  let failed = 0;
  let upstream = 0;
  // the governor's time for the calls still to make (the server's with --server)
  const eta = governorEta(backend, flags.provider ?? 'virustotal', flags.priority, () => upstream);
  const progress = valid.length > PROGRESS_FROM ? createProgress(ctx, 'lookup', { quotaLeft: () => backend.quota(flags.provider).then(quotaLeftText), eta }) : undefined;
  // a slow failure is not silent: each retry of an upstream call is said on stderr
  const NAMES: Record<string, string> = { virustotal: 'VirusTotal', urlhaus: 'URLhaus', dshield: 'DShield', spur: 'SPUR' };
  const offRetry = backend.onRetry?.((e) =>
    ctx.out.info(`vtg: ${NAMES[e.provider] ?? e.provider}: ${e.error}; retry ${e.attempt} in ${Math.max(1, Math.round(e.delayMs / 1000))}s`),
  );
  const outcomes = await mapLimit(valid, flags.concurrency, async (input) => {
    try {
      const result = await backend.lookup(input, options);
      if (result.source === 'upstream') upstream++;
      return { input, record: lookupRecord(input, result, { simulated: backend.mock }) };
    } catch (err) {
      failed++;
      return { input, error: err };
    } finally {
      progress?.update({ done: ++finished, total: valid.length, failed });
    }
  });
  progress?.stop();
  offRetry?.();
  for (const o of outcomes) {
    if (o.record) records.push(o.record);
    else failures.push(reportError(ctx, o.input, o.error));
  }
  ctx.out.list(records, LOOKUP_COLUMNS);
  const gated = gate(flags.failOn ?? [], records.map((r) => ({ subject: r.indicator, report: r.result.report })), (l) => ctx.out.warn(l));
  return worstExit(code, ...failures, gated);
}
