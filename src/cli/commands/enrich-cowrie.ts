/**
 * `vtg enrich cowrie <paths...>`: a per-session report of the malware hashes, URLs and attacker IPs in
 * Cowrie honeypot logs, with verdicts from VirusTotal, URLhaus, DShield and SPUR. Incremental through a
 * state file; `--follow` tails the live log and prints each session as it closes.
 *
 * It always runs on this machine's gateway (data dir, keys, quota), also with --server: the pipeline
 * reads local files and drives the Gateway directly, which a remote server does not offer.
 */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { type Command, Option } from 'commander';
import type { CowrieEnrichProgress, CowrieEnrichResult, FollowEnrichStats, LookupFailure } from '../../cowrie/index.js';
import type { Gateway, Priority } from '../../gateway/index.js';
import type { ProviderName } from '../../providers/types.js';
import type { CliContext } from '../context.js';
import { exitCodeForCode, messageOf, UsageError } from '../errors.js';
import { EXIT, worstExit } from '../exit-codes.js';
import { COWRIE_FORMATS, type CowrieFormat, cowrieProgressState, renderCowrie, sessionLine, terminalSafe } from '../format/cowrie.js';
import { quotaLeftText } from '../format/quota.js';
import { onInterrupt } from '../io.js';
import { checkWritable, closeAppend, openAppend, streamedOutput, writeFileAtomic } from '../out-file.js';
import { createProgress } from '../progress.js';
import { action, examples, PROVIDERS, parseProviders, priorityOption } from './common.js';
import { adoptFullState, fullStatePath, nothingNewNote, refuseNonCowrieFiles, stateSavedAt } from './enrich-cowrie-checks.js';

export const STATE_FILE = 'cowrie-state.json';

/** src/cowrie, loaded when the command runs (other commands start without it). */
type CowrieModule = typeof import('../../cowrie/index.js');

interface CowrieFlags {
  dryRun?: boolean;
  out?: string;
  format?: CowrieFormat;
  providers?: string;
  /** A path, false for --no-state, true (commander's default with --no-state declared) for the default file. */
  state: string | boolean;
  follow?: boolean;
  full?: boolean;
  watchlist?: string;
  priority: Priority;
}

export function registerEnrichCowrie(enrich: Command, ctx: CliContext): void {
  const cmd = enrich
    .command('cowrie')
    .description('enrich Cowrie honeypot logs: a per-session report of malware hashes, URLs and attacker IPs with their verdicts')
    .argument('<paths...>', 'log files (plain or .gz), directories (their cowrie.json* files) or globs in the file name (cowrie.json.2024-*)')
    .option('--dry-run', 'read the logs and print the quota cost per provider (upstream calls needed, cached, ETA); spends nothing, saves no state')
    .option('--out <file>', 'write the report to FILE instead of stdout (replaced whole at the end; --follow appends)')
    .addOption(new Option('--format <format>', 'report format (default summary; --json, --ndjson and --csv choose the same)').choices(COWRIE_FORMATS))
    .option('--providers <list>', `only these sources (comma-separated: ${PROVIDERS.join(', ')}); sources without a key are skipped and say so`)
    .option(
      '--state <file>',
      `incremental state: remember how far each log was read, so the next run reads only new lines (default <data-dir>/${STATE_FILE}; in mock mode <data-dir>/mock/${STATE_FILE}, so a simulated run never marks real logs as read)`,
    )
    .option('--no-state', 'no state file: read everything, remember nothing')
    .option('--full', 'report everything in the logs again (the cache answers what was looked up before), then keep the state file current')
    .option('--watchlist <name>', 'add the file hashes and URLs found to this watchlist (created when missing), re-checked daily at background priority')
    .option('-f, --follow', 'tail the live log across rotations and print each session as it closes (one record per line) until Ctrl-C or SIGTERM')
    .addOption(priorityOption('batch'))
    .addHelpText(
      'after',
      `
Output:
  summary (default): totals, file hashes (detections malicious/total, first submission, source IPs),
    dropper URLs (URLhaus online/offline), top attacker IPs (AS, organisation, country, SPUR tunnel),
    most frequent commands, SSH clients, proxy abuse, credentials, input problems, and per provider
    the lookups, upstream calls and cache answers. A dry run says "not looked up" for verdicts.
  json: the report (without per-session records) plus the run's stats. ndjson: one record per session
    with its indicators' verdicts. csv: one row per indicator.
  --follow prints one line per closed session: NDJSON (also with --json), or a readable line with
    --format summary (the default on a terminal). CSV is not available while following. It survives
    logrotate's rename-and-create and copytruncate; Ctrl-C exits 130 once what closed is written.
  Progress goes to stderr (bytes read, lines, bad lines, then lookups done and upstream calls).

Where it runs:
  Always on this machine: its data dir, keys and quota, even with --server or VTG_SERVER (which apply
  to lookups only; a note says so). Lookups go through the local cache, single-flight and quota governor.

Incremental runs:
  The state file is saved only when every lookup succeeded (else the next run reads those lines again,
  and the cache makes the answers already fetched free). Ctrl-C stops cleanly without saving (exit 130).
  A corrupt state file is an error (exit 2): move it away to start over.`,
    )
    .action(action(ctx, (paths: string[], flags: CowrieFlags) => enrichCowrie(ctx, paths, flags)));
  examples(cmd, [
    'vtg enrich cowrie /var/log/cowrie/cowrie.json*',
    'vtg enrich cowrie /var/log/cowrie --dry-run',
    'vtg enrich cowrie /var/log/cowrie --format csv --out report.csv',
    'vtg enrich cowrie old-logs/ --no-state --providers virustotal,urlhaus --json > report.json',
    'vtg enrich cowrie /var/log/cowrie/cowrie.json --follow --ndjson >> sessions.ndjson',
    'vtg enrich cowrie /var/log/cowrie --watchlist honeypot',
  ]);
}

/** The output format: --format, or a global --json/--ndjson/--csv (they must agree); else summary (ndjson when following off a terminal). */
function chooseFormat(ctx: CliContext, flags: CowrieFlags): CowrieFormat {
  if (ctx.globals.fields !== undefined) throw new UsageError('--fields does not apply to enrich cowrie; choose a --format');
  const global = ctx.out.mode === 'table' ? undefined : ctx.out.mode;
  if (flags.format && global && flags.format !== global) throw new UsageError(`--format ${flags.format} and --${global} disagree; give one of them`);
  const format = flags.format ?? global;
  if (!flags.follow) return format ?? 'summary';
  if (format === 'csv') throw new UsageError('--follow prints one record per line: use --format ndjson or summary');
  if (format === 'json') return 'ndjson';
  return format ?? (flags.out === undefined && ctx.io.stdout.isTTY ? 'summary' : 'ndjson');
}

function asUsage(err: unknown, prefix = ''): never {
  throw new UsageError(`${prefix}${messageOf(err)}`);
}

/** The live log to follow: one file, or a directory's cowrie.json. It may not exist yet (Cowrie creates it). */
async function followPath(ctx: CliContext, paths: string[]): Promise<string> {
  if (paths.length !== 1 || /[*?]/.test(paths[0] as string)) throw new UsageError('--follow takes one live log (e.g. /var/log/cowrie/cowrie.json) or its directory');
  const given = paths[0] as string;
  const st = await stat(given).catch(() => undefined);
  if (st?.isDirectory()) return join(given, 'cowrie.json');
  if (st?.isFile()) return given;
  if (st) throw new UsageError(`${given}: not a regular file`);
  if (!(await stat(dirname(given)).catch(() => undefined))?.isDirectory()) throw new UsageError(`${given}: no such file or directory`);
  ctx.out.info(`vtg: ${given} does not exist yet; waiting for it`);
  return given;
}

/**
 * A long read makes garbage at a steady pace while keeping little (about 45 MB live on a log of
 * 1,000,000 sessions that never close). V8 lets the heap grow to as much as four times what survived
 * its last full collection before the next one, so that log peaked at 331 MB RSS; twice bounds the
 * peak at about 220 MB at no measurable CPU cost (bench/cowrie). This process runs only this command.
 */
const HEAP_GROWING_PERCENT = 100;

async function enrichCowrie(ctx: CliContext, paths: string[], flags: CowrieFlags): Promise<number> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const providers = parseProviders(flags.providers);
  const format = chooseFormat(ctx, flags);
  if (flags.follow && flags.dryRun) throw new UsageError('--dry-run estimates a batch run; it does not combine with --follow');
  if (flags.watchlist !== undefined && flags.dryRun) throw new UsageError('--watchlist adds what a run finds; a dry run changes nothing, so it does not combine with --dry-run');
  if (flags.watchlist !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(flags.watchlist)) {
    throw new UsageError(`--watchlist ${JSON.stringify(flags.watchlist)}: a watchlist name is 1..64 letters, digits, ".", "_", "-"`);
  }
  const cowrie = await import('../../cowrie/index.js');
  // input problems first: nothing is opened or spent for a typo
  const followed = flags.follow ? await followPath(ctx, paths) : undefined;
  if (flags.full && (flags.follow || flags.state === false)) throw new UsageError('--full re-reads logs kept in a state file; it does not combine with --follow or --no-state');
  if (!followed) await refuseNonCowrieFiles(await cowrie.resolveLogFiles(paths).catch((err) => asUsage(err)));
  if (flags.out !== undefined && !flags.follow) await checkWritable(flags.out, '--out');
  if (ctx.serverUrl) ctx.out.warn(`vtg: enrich cowrie runs on this machine's gateway, not on ${ctx.serverUrl} (--server applies to lookups only)`);

  const gateway = await ctx.localGateway();
  const statePath = flags.state === false ? undefined : typeof flags.state === 'string' ? flags.state : join(gateway.config.dataDir, STATE_FILE);
  // a corrupt state file is refused before any work (the pipeline would refuse it too, less clearly)
  if (statePath) await cowrie.CowrieState.load(statePath).catch((err) => asUsage(err, `state file ${statePath}: `));

  const since = await stateSavedAt(statePath);
  // --full reads with a fresh state that replaces the old one after a clean run
  const readState = statePath && flags.full && !flags.dryRun ? await fullStatePath(statePath) : statePath;
  const engine = {
    ...(providers ? { providers } : {}),
    ...(readState ? { statePath: readState } : {}),
    ...(flags.watchlist !== undefined ? { watchlist: flags.watchlist } : {}),
    priority: flags.priority,
  };
  const spec = { engine, statePath, format, out: flags.out, since };
  if (followed) return follow(ctx, cowrie, gateway, { ...spec, path: followed });
  return batch(ctx, cowrie, gateway, { ...spec, paths, dryRun: flags.dryRun === true });
}

interface RunSpec {
  /** What both pipelines take alike. */
  engine: { providers?: ProviderName[]; statePath?: string; watchlist?: string; priority: Priority };
  statePath: string | undefined;
  format: CowrieFormat;
  out: string | undefined;
  /** When the state file was last saved (ISO), for "nothing new since". */
  since: string | undefined;
}

function failureCode(failures: readonly LookupFailure[]): number {
  return worstExit(...failures.map((f) => exitCodeForCode(f.code)));
}

function runSummary(r: CowrieEnrichResult, statePath: string | undefined): string {
  const s = r.stats;
  const state = !statePath ? 'no state file' : s.stateSaved ? `state saved to ${statePath}` : `state ${s.stateNote ?? 'not saved'}`;
  const lookups = r.report.dryRun
    ? 'dry run: nothing looked up'
    : `${s.lookupsDone}/${s.lookupsTotal} lookups: ${s.upstreamCalls} upstream calls, ${s.fromCache} from cache, ${s.failed} failed`;
  return `vtg: enrich cowrie: ${s.files} file(s) (${s.filesUnchanged} unchanged), ${s.lines} new lines (${s.badLines} bad), ${s.sessions} sessions, ${s.indicators} indicators; ${lookups}; ${state}`;
}

async function batch(ctx: CliContext, cowrie: CowrieModule, gateway: Gateway, spec: RunSpec & { paths: string[]; dryRun: boolean }): Promise<number> {
  const controller = new AbortController();
  const dispose = onInterrupt(() => controller.abort(new Error('interrupted')));
  let last: CowrieEnrichProgress | undefined;
  const progress = createProgress(ctx, 'cowrie read', {
    quotaLeft: () => gateway.quota('virustotal').then(quotaLeftText),
    // lookups: the governor's time for each provider's calls left (the share that needed one so
    // far), the slowest provider's; reading: its pace
    eta: async () => {
      if (last?.phase !== 'enrich') return undefined;
      let slowest = 0;
      for (const p of last.providers ?? []) {
        const share = p.done > 0 ? Math.min(1, p.upstreamCalls / p.done) : 1;
        slowest = Math.max(slowest, await gateway.lookups.eta(p.provider, (p.total - p.done) * share, spec.engine.priority));
      }
      return Number.isFinite(slowest) ? slowest : null;
    },
  });
  // NDJSON is one record per session, written as the records come (never held whole); other formats keep counts.
  const streamed =
    spec.format === 'ndjson' && !spec.dryRun ? streamedOutput(spec.out !== undefined ? { path: spec.out } : { stream: ctx.io.stdout }) : undefined;
  let result: CowrieEnrichResult;
  try {
    result = await cowrie.enrichCowrieLogs(gateway, {
      ...spec.engine,
      paths: spec.paths,
      dryRun: spec.dryRun,
      keepSessions: false,
      ...(streamed ? { onSession: (record) => streamed.write(ctx.out.scrub(`${JSON.stringify(record)}\n`)) } : {}),
      signal: controller.signal,
      onProgress: (p) => {
        last = p;
        progress.update(cowrieProgressState(p));
      },
    });
    progress.stop();
    await streamed?.commit();
  } catch (err) {
    progress.stop();
    await streamed?.abort();
    if (!controller.signal.aborted) {
      if ((err as Error | null)?.name === 'CowrieInputError') asUsage(err);
      throw err;
    }
    ctx.out.warn('vtg: interrupted: nothing was saved to the state file; the next run reads these lines again (answers already fetched are cached)');
    return EXIT.interrupted;
  } finally {
    dispose();
  }

  if (spec.engine.statePath && spec.statePath && spec.engine.statePath !== spec.statePath) await adoptFullState(spec.engine.statePath, spec.statePath);
  const s = result.stats;
  if (s.files > 0 && s.lines === 0 && s.filesUnchanged === s.files) ctx.out.info(nothingNewNote(s.filesUnchanged, spec.since));
  if (!streamed && spec.out === undefined) ctx.out.text(renderCowrie(cowrie, result, spec.format));
  else if (!streamed && spec.out !== undefined) await writeFileAtomic(spec.out, ctx.out.scrub(renderCowrie(cowrie, result, spec.format)));
  if (spec.out !== undefined) ctx.out.info(`vtg: wrote the ${spec.format} report to ${spec.out}`);
  ctx.out.info(runSummary(result, spec.statePath));
  const w = result.stats.watchlist;
  if (w) ctx.out.info(`vtg: watchlist ${w.name}: ${w.added} added, ${w.existing} already there`);
  for (const f of result.read.files) if (f.error) ctx.out.warn(`vtg: ${f.file}: ${f.error} (read ${f.lines} lines before that)`);
  if (result.report.failures.length > 0 && spec.format !== 'summary') ctx.out.warn(`vtg: ${result.report.failures.length} lookup(s) failed (listed in the report)`);
  return worstExit(failureCode(result.report.failures), result.stats.fileErrors > 0 ? EXIT.usage : EXIT.ok);
}

async function follow(ctx: CliContext, cowrie: CowrieModule, gateway: Gateway, spec: RunSpec & { path: string }): Promise<number> {
  const file = spec.out !== undefined ? await openAppend(spec.out, '--out') : undefined;
  const write = (text: string) => {
    if (file) file.write(ctx.out.scrub(text));
    else ctx.out.text(text);
  };
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const dispose = onInterrupt((signal) => {
    stoppedBy = signal;
    controller.abort(new Error('interrupted'));
  });
  ctx.out.info(`vtg: following ${spec.path} (${spec.statePath ? `state ${spec.statePath}` : 'no state file'}); Ctrl-C stops`);
  let stats: FollowEnrichStats;
  try {
    stats = await cowrie.followAndEnrich(gateway, {
      ...spec.engine,
      path: spec.path,
      signal: controller.signal,
      onSession: (record) => write(spec.format === 'summary' ? sessionLine(record) : `${JSON.stringify(record)}\n`),
      onFailure: (f) => ctx.out.warn(terminalSafe(`vtg: ${f.provider} ${f.kind} ${f.value}: ${f.code}: ${f.message}`, 300)),
    });
  } catch (err) {
    if (!controller.signal.aborted) throw err;
    ctx.out.info('vtg: interrupted');
    return EXIT.interrupted;
  } finally {
    dispose();
    await closeAppend(file);
  }
  if (spec.engine.watchlist !== undefined) ctx.out.info(`vtg: watchlist ${spec.engine.watchlist}: ${stats.watchlistAdded} added`);
  const calls = stats.providers.reduce((n, p) => n + p.upstreamCalls, 0);
  const cached = stats.providers.reduce((n, p) => n + p.fromCache, 0);
  ctx.out.info(
    `vtg: stopped following: ${stats.sessions} session(s), ${stats.read.lines} lines (${stats.read.badLines} bad), ${calls} upstream calls, ${cached} from cache, ${stats.failures.length} failed lookup(s)`,
  );
  // Ctrl-C (SIGINT) is the normal way to stop, and exits as interrupted once what closed is flushed;
  // SIGTERM (a service manager stopping it) is a clean stop.
  return stoppedBy === 'SIGINT' ? EXIT.interrupted : EXIT.ok;
}
