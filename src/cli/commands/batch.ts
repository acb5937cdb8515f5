/**
 * `vtg batch <file|->`: a durable batch job. Results print as they finish; Ctrl-C stops cleanly
 * (finished results are stored, in-flight ones stay pending) and `--resume <id>` continues it.
 */
import type { Command } from 'commander';
import type { BatchItem, BatchJob, Estimate, LookupResult, Priority } from '../../gateway/index.js';
import { tryParseIndicator } from '../../indicators/index.js';
import type { ProviderName } from '../../providers/types.js';
import type { Backend } from '../backend/index.js';
import type { CliContext } from '../context.js';
import { exitCodeForCode, UsageError } from '../errors.js';
import { EXIT, worstExit } from '../exit-codes.js';
import { collectFailOn, type FailRule, gate } from '../fail-on.js';
import { LOOKUP_COLUMNS, type LookupRecord, lookupRecord } from '../format/lookup-rows.js';
import { keyValueLines } from '../format/output.js';
import { quotaLeftText } from '../format/quota.js';
import { etaText, isoTime, shortDuration } from '../format/time.js';
import { indicatorLines, readAll, readTextFile } from '../inputs.js';
import { onInterrupt } from '../io.js';
import { createProgress } from '../progress.js';
import { action, examples, priorityOption, providerOption, wholeNumber } from './common.js';

interface BatchFlags {
  dryRun?: boolean;
  budget?: number;
  priority: Priority;
  provider?: ProviderName;
  resume?: string;
  status?: string;
  cancel?: string;
  list?: boolean;
  failOn?: FailRule[];
  watchlist?: string;
}

const FINISHED_JOB = new Set(['completed', 'cancelled', 'failed']);
const POLL_MS = 250;
const PAGE = 2000;

export function registerBatch(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('batch')
    .description('look up a list of indicators as a durable, resumable batch job (one per line; blank lines and # comments skipped)')
    .argument('[file]', 'file with one indicator per line, or `-` for stdin')
    .option('--dry-run', 'print the cost (cached, in flight, upstream calls needed, quota left, ETA) and exit 0')
    .option('--budget <n>', 'spend at most N upstream calls; items beyond are answered from the cache or skipped', wholeNumber)
    .addOption(priorityOption('batch'))
    .addOption(providerOption('provider to ask (default virustotal)'))
    .option('--resume <id>', 'continue an interrupted batch (nothing finished is fetched again)')
    .option('--status <id>', 'print a batch job and exit')
    .option('--cancel <id>', 'cancel a batch job')
    .option('--list', 'list recent batch jobs')
    .option('--fail-on <rule>', 'exit 1 when a result meets RULE (see `vtg lookup --help`); repeatable', collectFailOn)
    .option('--watchlist <name>', 'also add the indicators to this watchlist (re-checked daily at background priority)')
    .action(action(ctx, (file: string | undefined, flags: BatchFlags) => batch(ctx, file, flags)));
  examples(cmd, [
    'vtg batch iocs.txt --dry-run',
    'vtg batch iocs.txt --budget 100 --priority background',
    'grep -v ^# hashes.txt | vtg batch - --ndjson > results.ndjson',
    'vtg batch --resume 6f1c0d2e-...     # after Ctrl-C',
    'vtg batch --list',
  ]);
}

async function batch(ctx: CliContext, file: string | undefined, flags: BatchFlags): Promise<number> {
  const admin = [flags.resume, flags.status, flags.cancel, flags.list].filter((x) => x !== undefined).length;
  if (admin > 1 || (admin === 1 && file !== undefined)) throw new UsageError('give one of: a file, --resume <id>, --status <id>, --cancel <id>, --list');
  if (flags.list) return listJobs(ctx);
  if (flags.status !== undefined) return showJob(ctx, await resolveJobId(ctx, flags.status));
  if (flags.cancel !== undefined) return cancelJob(ctx, await resolveJobId(ctx, flags.cancel));
  if (flags.resume !== undefined) {
    const backend = await ctx.backend();
    const view = await backend.batch(await resolveJobId(ctx, flags.resume));
    if (!view) throw new UsageError(`no batch with id ${flags.resume}`);
    if (FINISHED_JOB.has(view.job.status)) ctx.out.info(`vtg: batch ${view.job.id} is already ${view.job.status}; printing its results`);
    return follow(ctx, backend, view.job, null, flags);
  }
  if (file === undefined) throw new UsageError('give a file of indicators (or `-` for stdin), or --resume <id>');

  const lines = indicatorLines(file === '-' ? await readAll(ctx.io.stdin) : await readTextFile(file));
  if (lines.length === 0) throw new UsageError(`${file === '-' ? 'stdin' : file} holds no indicators`);
  let code: number = EXIT.ok;
  for (const line of lines) {
    const parsed = tryParseIndicator(line);
    if (!parsed.ok) {
      ctx.out.warn(`vtg: invalid indicator ${parsed.error}`);
      code = EXIT.usage;
    }
  }
  const backend = await ctx.backend();
  if (flags.dryRun) {
    printEstimate(ctx, await backend.estimate(lines, { priority: flags.priority, ...(flags.provider ? { provider: flags.provider } : {}) }), flags.budget);
    return EXIT.ok;
  }
  const estimate = ctx.out.quiet ? null : await backend.estimate(lines, { priority: flags.priority, ...(flags.provider ? { provider: flags.provider } : {}) }).catch(() => null);
  const job = await backend.createBatch(lines, {
    priority: flags.priority,
    ...(flags.budget !== undefined ? { budget: flags.budget } : {}),
    ...(flags.provider ? { provider: flags.provider } : {}),
  });
  if (flags.watchlist) {
    const w = await backend.watchlistAdd(flags.watchlist, lines, {});
    ctx.out.info(`vtg: watchlist ${w.watchlist.name}: ${w.added} added, ${w.existing} already there`);
  }
  ctx.out.info(`vtg: batch ${job.id}: ${job.total} indicators${estimate ? `, ${estimate.upstream} upstream calls needed (ETA ${etaText(estimate.etaMs)})` : ''}`);
  return worstExit(code, await follow(ctx, backend, job, estimate, flags));
}

/** "50d 0h at the current quota (batch priority leaves 20% of each day and month to interactive lookups)". */
function etaLine(e: Estimate): string {
  const reserve = e.reserve > 0 ? ` (${e.priority} priority leaves ${Math.round(e.reserve * 100)}% of each day and month to interactive lookups)` : '';
  return `${Number.isFinite(e.etaMs) ? etaText(e.etaMs) : 'not while the key is unhealthy or a limit is 0'} at the current quota${reserve}`;
}

function printEstimate(ctx: CliContext, e: Estimate, budget: number | undefined): void {
  const out = ctx.out;
  out.object({ ...e, ...(budget !== undefined ? { budget } : {}) }, () => {
    const pairs: Array<[string, string]> = [
      ['provider', e.provider],
      ['indicators', String(e.total)],
      ['invalid', String(e.invalid)],
      ['duplicates', String(e.duplicates)],
      ['cached', String(e.cached)],
      ['in flight', String(e.inFlight)],
      ['upstream calls', budget !== undefined && budget < e.upstream ? `${e.upstream} (budget ${budget}: ${e.upstream - budget} would be skipped)` : String(e.upstream)],
      ['ETA', etaLine(e)],
      ['quota key', e.quota.key],
      ['quota status', e.quota.status],
    ];
    for (const w of e.quota.windows) pairs.push([`quota left (${w.window})`, `${w.remaining}/${w.limit}`]);
    return keyValueLines(pairs, out.paint);
  });
}

function isLookupResult(value: unknown): value is LookupResult {
  return typeof value === 'object' && value !== null && 'report' in value && 'indicator' in value;
}

/** Runs (or follows) the job, printing results as they finish, until it ends or Ctrl-C. */
async function follow(ctx: CliContext, backend: Backend, job: BatchJob, estimate: Estimate | null, flags: BatchFlags): Promise<number> {
  const out = ctx.out;
  const stream = out.stream<LookupRecord>(LOOKUP_COLUMNS);
  const records: LookupRecord[] = [];
  const sources: Record<string, number> = {};
  let skipped = 0;
  const errorCodes: number[] = [];
  const printed = new Set<number>();
  let low = 0;

  const print = (item: BatchItem) => {
    if (item.status === 'pending' || printed.has(item.seq)) return;
    printed.add(item.seq);
    if (item.status === 'error') {
      const e = item.error ?? { code: 'Error', message: 'failed' };
      if (e.code !== 'InvalidIndicator') out.warn(`vtg: ${item.input}: ${e.message}`);
      errorCodes.push(exitCodeForCode(e.code));
      return;
    }
    if (item.status === 'skipped' || !isLookupResult(item.result)) {
      skipped++;
      out.info(`vtg: ${item.input}: skipped (${(item.result as { message?: string } | null)?.message ?? 'not looked up'})`);
      return;
    }
    const record = lookupRecord(item.input, item.result, { simulated: backend.mock });
    sources[record.source] = (sources[record.source] ?? 0) + 1;
    records.push(record);
    stream.push(record);
  };
  const drain = async () => {
    for (;;) {
      const items = await backend.batchResults(job.id, { afterSeq: low - 1, limit: PAGE });
      for (const item of items) print(item);
      while (printed.has(low)) printed.delete(low++);
      // a full page of finished items: read on; otherwise wait for more to finish
      if (items.length < PAGE || items.some((i) => i.status === 'pending')) return;
    }
  };

  const provider = flags.provider ?? ((job.options as { provider?: ProviderName } | null)?.provider ?? 'virustotal');
  const progress = createProgress(ctx, `batch ${job.id.slice(0, 8)}`, { quotaLeft: () => backend.quota(provider).then(quotaLeftText) });
  const startedAt = Date.now();
  const refreshProgress = (current: BatchJob, etaMs: number | null) => {
    // the governor's estimate until the job's own rate is known
    const governorEta = estimate ? Math.max(0, estimate.etaMs - (Date.now() - startedAt)) : null;
    progress.update({ done: current.done + current.failed, total: current.total, failed: current.failed, etaMs: etaMs ?? governorEta });
  };

  const controller = new AbortController();
  let interrupted = false;
  const dispose = onInterrupt(() => {
    interrupted = true;
    controller.abort(new Error('interrupted'));
  });
  let final: BatchJob = job;
  try {
    let settled = false;
    const running = backend.runBatch(job.id, { signal: controller.signal }).finally(() => {
      settled = true;
    });
    running.catch(() => undefined);
    while (!settled) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      await drain();
      const view = await backend.batch(job.id);
      if (view) refreshProgress(view.job, view.etaMs);
    }
    final = await running;
    await drain();
    const view = await backend.batch(job.id);
    if (view) final = view.job;
    progress.stop({ done: final.done + final.failed, total: final.total, failed: final.failed, etaMs: 0 });
  } catch (err) {
    progress.stop();
    throw err;
  } finally {
    dispose();
  }

  stream.end((rows) => ({ batch: final, results: rows }));
  const took = shortDuration(Date.now() - startedAt);
  const by = Object.entries(sources).map(([s, n]) => `${n} ${s}`).join(', ');
  const summary = `batch ${final.id} ${final.status}: ${final.done}/${final.total} done${by ? ` (${by})` : ''}, ${final.failed} failed, ${skipped} skipped, ${final.upstreamCalls} upstream calls, ${took}`;
  if (interrupted || (!FINISHED_JOB.has(final.status) && backend.kind === 'embedded')) {
    out.warn(`vtg: interrupted: ${summary}`);
    out.warn(`vtg: every finished result is saved. Resume with: vtg batch --resume ${final.id}`);
    if (backend.kind === 'remote') out.warn(`vtg: (the server keeps running batch ${final.id}; --resume follows it again)`);
    return EXIT.interrupted;
  }
  out.info(`vtg: ${summary}`);
  const gated = gate(flags.failOn ?? [], records.map((r) => ({ subject: r.indicator, report: r.result.report })), (l) => out.warn(l));
  return worstExit(...errorCodes, gated, final.status === 'failed' ? EXIT.failure : EXIT.ok);
}

const JOB_COLUMNS = [
  { key: 'id', width: 36 },
  { key: 'status', width: 9 },
  { key: 'progress', header: 'DONE', text: (j: BatchJob) => `${j.done + j.failed}/${j.total}`, value: (j: BatchJob) => j.done + j.failed },
  { key: 'failed', right: true },
  { key: 'upstreamCalls', header: 'UPSTREAM', right: true },
  { key: 'budget', text: (j: BatchJob) => (j.budget === null ? '-' : String(j.budget)) },
  { key: 'createdAt', header: 'CREATED', text: (j: BatchJob) => isoTime(j.createdAt) },
  { key: 'total', hidden: true },
  { key: 'done', hidden: true },
];

async function listJobs(ctx: CliContext): Promise<number> {
  const backend = await ctx.backend();
  ctx.out.list(await backend.listBatches(50), JOB_COLUMNS, { empty: 'no batch jobs' });
  return EXIT.ok;
}

/** A job id from any unique prefix of it, as git takes commit ids (progress lines print 8 characters). */
async function resolveJobId(ctx: CliContext, given: string): Promise<string> {
  const backend = await ctx.backend();
  if (await backend.batch(given)) return given;
  const prefix = given.trim().toLowerCase();
  const matches = prefix.length < 4 ? [] : (await backend.listBatches(1000)).filter((j) => j.id.toLowerCase().startsWith(prefix));
  if (matches.length === 1) return (matches[0] as BatchJob).id;
  if (matches.length > 1) throw new UsageError(`batch id ${given} is ambiguous: ${matches.map((j) => j.id).join(', ')}`);
  throw new UsageError(`no batch with id ${given}${prefix.length < 4 ? ' (give at least 4 characters of the id)' : ''} (vtg batch --list shows them)`);
}

async function showJob(ctx: CliContext, id: string): Promise<number> {
  const backend = await ctx.backend();
  const view = await backend.batch(id);
  if (!view) throw new UsageError(`no batch with id ${id}`);
  const j = view.job;
  ctx.out.object(view, () =>
    keyValueLines(
      [
        ['id', j.id],
        ['status', j.status],
        // the same count as --list's DONE column: items finished, failed ones included
        ['done', `${j.done + j.failed}/${j.total}${j.failed ? ` (${j.failed} failed)` : ''}`],
        ['failed', String(j.failed)],
        ['upstream calls', `${j.upstreamCalls}${j.budget === null ? '' : ` (budget ${j.budget})`}`],
        ['created', isoTime(j.createdAt)],
        ['updated', isoTime(j.updatedAt)],
        ['ETA', view.etaMs === null ? '-' : etaText(view.etaMs)],
        ...(j.error ? ([['error', `${j.error.code}: ${j.error.message}`]] as Array<[string, string]>) : []),
      ],
      ctx.out.paint,
    ),
  );
  return EXIT.ok;
}

async function cancelJob(ctx: CliContext, id: string): Promise<number> {
  const backend = await ctx.backend();
  if (!(await backend.batch(id))) throw new UsageError(`no batch with id ${id}`);
  const ok = await backend.cancelBatch(id);
  ctx.out.object({ id, cancelled: ok }, () => [ok ? `cancelled batch ${id}` : `batch ${id} was already finished`]);
  return EXIT.ok;
}
