/**
 * The Cowrie enrichment pipeline (`vtg enrich cowrie`): read the logs (incrementally with a state
 * file), group sessions, collect their indicators deduplicated over the whole run, look each one up
 * once per applicable provider through the Gateway (cache, single-flight, governor), and build the
 * report. New hashes go first; a provider without a key is skipped with its note; a failed lookup is
 * recorded, never fatal. The state file is saved only once every lookup of the run has finished, so
 * an interrupted run reads those lines again next time and the cache makes that free.
 */
import { setMaxListeners } from 'node:events';
import { stat } from 'node:fs/promises';
import { ENRICHMENT_PROVIDERS, type Estimate, type Gateway, type Priority } from '../gateway/index.js';
import type { IndicatorKind } from '../indicators/index.js';
import type { ProviderName, Report } from '../providers/types.js';
import { isRemoteUrl } from './commands.js';
import { type CowrieIndicator, EMPTY_SHA256, type ExtractOptions, IndicatorCollector } from './extract.js';
import { resolveLogFiles } from './files.js';
import { toSummaryText } from './format.js';
import { type CowrieReadStats, createReadStats, readCowrieLogs } from './reader.js';
import { buildCowrieReport, type CowrieReport, type ProviderResults } from './report.js';
import { type CowrieSession, SessionBuilder, buildSessions } from './sessions.js';
import { CowrieState } from './state.js';

export const ALL_PROVIDERS: readonly ProviderName[] = ['virustotal', 'urlhaus', 'dshield', 'spur'];

export interface CowrieEnrichProgress {
  phase: 'read' | 'enrich';
  files: number;
  bytesRead: number;
  bytesTotal: number;
  lines: number;
  badLines: number;
  sessions: number;
  indicators: number;
  lookupsDone: number;
  lookupsTotal: number;
  upstreamCalls: number;
}

export interface CowrieEnrichOptions {
  /** Files, directories (their cowrie.json* files) or globs in the file name. */
  paths: string[];
  /** Default: every configured provider. Each indicator goes to ENRICHMENT_PROVIDERS[kind] ∩ these ∩ configured. */
  providers?: ProviderName[];
  /** Incremental state file (default none: read everything). */
  statePath?: string;
  /** Read and extract only, then return each provider's quota cost estimate; no lookups, state not saved. */
  dryRun?: boolean;
  /** Default 'batch'. */
  priority?: Priority;
  signal?: AbortSignal;
  onProgress?: (p: CowrieEnrichProgress) => void;
  /** Keep private/loopback addresses (a lab honeypot); default false. */
  extract?: ExtractOptions;
  /** Lookups submitted at once per provider (default 64); the scheduler paces upstream calls anyway. */
  window?: number;
  /** Rows in the report's top lists (default 10). */
  top?: number;
  /**
   * Save the state file even when some lookups failed (default false: the next run reads those lines
   * again and retries only what failed, since every answer already obtained is cached).
   */
  saveStateOnFailure?: boolean;
}

/** What became of one provider in a run. */
export interface ProviderRun {
  provider: ProviderName;
  /** False when it was asked for but is not configured (see `note`). */
  enabled: boolean;
  note?: string;
  lookups: number;
  /** Answered from the cache (fresh or stale) or by joining a call already in flight. */
  fromCache: number;
  upstreamCalls: number;
  failed: number;
}

export interface LookupFailure {
  provider: ProviderName;
  kind: IndicatorKind;
  value: string;
  id: string;
  code: string;
  message: string;
}

export type EnrichedCowrieReport = CowrieReport & {
  dryRun: boolean;
  providers: ProviderRun[];
  failures: LookupFailure[];
};

export interface CowrieEnrichStats {
  files: number;
  /** Files with nothing new since the state file was saved. */
  filesUnchanged: number;
  fileErrors: number;
  bytesRead: number;
  bytesTotal: number;
  lines: number;
  events: number;
  badLines: number;
  truncatedLines: number;
  sessions: number;
  indicators: number;
  /** File hashes with no fresh VirusTotal answer in the cache (looked up first). */
  newHashes: number;
  knownHashes: number;
  lookupsTotal: number;
  lookupsDone: number;
  fromCache: number;
  upstreamCalls: number;
  failed: number;
  skippedProviders: ProviderName[];
  stateSaved: boolean;
  /** Why the state file was not saved, when one was given. */
  stateNote?: string;
}

export interface CowrieEnrichResult {
  report: EnrichedCowrieReport;
  /** Dry run only: the cost per enabled provider. */
  estimate?: Partial<Record<ProviderName, Estimate>>;
  stats: CowrieEnrichStats;
  /** Per-file reading details (lines, bad lines, errors, where a resumed file started). */
  read: CowrieReadStats;
}

// ---- shared with follow-enrich.ts ------------------------------------------------------------

export interface ProviderPlan {
  runs: Map<ProviderName, ProviderRun>;
  /** Enabled providers per indicator kind, in ENRICHMENT_PROVIDERS order. */
  byKind: Record<IndicatorKind, ProviderName[]>;
}

/** Which providers each kind goes to; providers asked for but not configured carry their note. */
export function planProviders(gateway: Gateway, requested: readonly ProviderName[] = ALL_PROVIDERS): ProviderPlan {
  const wanted = ALL_PROVIDERS.filter((p) => requested.includes(p));
  const runs = new Map<ProviderName, ProviderRun>();
  for (const provider of wanted) {
    const note = gateway.providerNote(provider);
    runs.set(provider, { provider, enabled: note === undefined, ...(note ? { note } : {}), lookups: 0, fromCache: 0, upstreamCalls: 0, failed: 0 });
  }
  const byKind = {} as Record<IndicatorKind, ProviderName[]>;
  for (const kind of Object.keys(ENRICHMENT_PROVIDERS) as IndicatorKind[]) {
    const configured = new Set(gateway.providersFor(kind));
    byKind[kind] = ENRICHMENT_PROVIDERS[kind].filter((p) => runs.get(p)?.enabled && configured.has(p));
  }
  return { runs, byKind };
}

/** Defence in depth: the extractor already drops these, and they must never reach an upstream. */
export function worthLookingUp(x: Pick<CowrieIndicator, 'kind' | 'id' | 'value'>): boolean {
  if (x.kind === 'file') return /^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/.test(x.id) && x.id !== EMPTY_SHA256;
  if (x.kind === 'url') return isRemoteUrl(x.value);
  return x.id !== '';
}

export interface LookupRun {
  plan: ProviderPlan;
  results: ProviderResults;
  failures: LookupFailure[];
  priority: Priority;
  signal?: AbortSignal;
  window?: number;
  /** Never spend quota: answer from the cache only (used when flushing at shutdown). */
  cacheOnly?: boolean;
  onDone?: () => void;
}

function errorInfo(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; name?: string; message?: string } | null;
  const code = typeof e?.code === 'string' ? e.code : (e?.name ?? 'Error');
  return { code, message: e?.message ?? String(err) };
}

/** The (provider, indicator) lookups of a list, per provider in list order. */
export function lookupTasks(indicators: readonly CowrieIndicator[], plan: ProviderPlan): Map<ProviderName, CowrieIndicator[]> {
  const tasks = new Map<ProviderName, CowrieIndicator[]>();
  for (const x of indicators) {
    if (!worthLookingUp(x)) continue;
    for (const provider of plan.byKind[x.kind]) {
      const list = tasks.get(provider) ?? [];
      list.push(x);
      tasks.set(provider, list);
    }
  }
  return tasks;
}

/**
 * Looks every task up through the gateway. Each provider has its own window of lookups in flight, so
 * a slow provider (DShield, 1/s) never holds back the others. Aborting rejects; anything else is a failure.
 */
export async function runLookups(gateway: Gateway, tasks: Map<ProviderName, CowrieIndicator[]>, run: LookupRun): Promise<void> {
  const window = Math.max(1, run.window ?? 64);
  const one = async (provider: ProviderName, x: CowrieIndicator) => {
    const stats = run.plan.runs.get(provider) as ProviderRun;
    stats.lookups++;
    let ownCall = false;
    try {
      const result = await gateway.lookup(x.indicator, {
        provider,
        priority: run.priority,
        ...(run.signal ? { signal: run.signal } : {}),
        ...(run.cacheOnly ? { cacheOnly: true } : {}),
        onUpstreamCall: () => {
          ownCall = true;
        },
      });
      if (ownCall) stats.upstreamCalls++;
      else stats.fromCache++;
      const entry = run.results.get(x.id) ?? {};
      entry[provider] = result.report as Report;
      run.results.set(x.id, entry);
    } catch (err) {
      if (run.signal?.aborted) throw err;
      stats.failed++;
      run.failures.push({ provider, kind: x.kind, value: x.value, id: x.id, ...errorInfo(err) });
    } finally {
      run.onDone?.();
    }
  };
  await Promise.all(
    [...tasks].map(async ([provider, list]) => {
      let next = 0;
      const worker = async () => {
        while (next < list.length) {
          const x = list[next++] as CowrieIndicator;
          await one(provider, x);
        }
      };
      await Promise.all(Array.from({ length: Math.min(window, list.length) }, worker));
    }),
  );
}

function totals(plan: ProviderPlan): { fromCache: number; upstreamCalls: number; failed: number; done: number } {
  let fromCache = 0;
  let upstreamCalls = 0;
  let failed = 0;
  for (const r of plan.runs.values()) {
    fromCache += r.fromCache;
    upstreamCalls += r.upstreamCalls;
    failed += r.failed;
  }
  return { fromCache, upstreamCalls, failed, done: fromCache + upstreamCalls + failed };
}

/** The quota cost of looking up `list` with one provider (parsed indicators, so tftp:// URLs count too). */
function estimateProvider(gateway: Gateway, provider: ProviderName, list: readonly CowrieIndicator[]): Promise<Estimate> {
  return gateway.estimate(list.map((x) => x.indicator), { provider });
}

/** A signal of our own that follows the caller's: the many lookups listening to it would trip Node's listener warning. */
function linkedSignal(outer: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const onAbort = () => inner.abort(outer.reason);
  if (outer.aborted) inner.abort(outer.reason);
  else outer.addEventListener('abort', onAbort, { once: true });
  return { signal: inner.signal, dispose: () => outer.removeEventListener('abort', onAbort) };
}

// ---- the batch run -------------------------------------------------------------------------------

export async function enrichCowrieLogs(gateway: Gateway, options: CowrieEnrichOptions): Promise<CowrieEnrichResult> {
  const linked = options.signal ? linkedSignal(options.signal) : undefined;
  try {
    return await enrich(gateway, options, linked?.signal);
  } finally {
    linked?.dispose();
  }
}

async function enrich(gateway: Gateway, options: CowrieEnrichOptions, signal: AbortSignal | undefined): Promise<CowrieEnrichResult> {
  const plan = planProviders(gateway, options.providers);
  const state = options.statePath ? await CowrieState.load(options.statePath) : undefined;

  const files = await resolveLogFiles(options.paths);
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size, () => 0)));
  const bytesTotal = sizes.reduce((a, b) => a + b, 0);

  const readStats = createReadStats();
  const builder = new SessionBuilder();
  const collector = new IndicatorCollector(options.extract);
  const sessions: CowrieSession[] = [];
  const progress: CowrieEnrichProgress = {
    phase: 'read',
    files: files.length,
    bytesRead: 0,
    bytesTotal,
    lines: 0,
    badLines: 0,
    sessions: 0,
    indicators: 0,
    lookupsDone: 0,
    lookupsTotal: 0,
    upstreamCalls: 0,
  };
  const emit = () => options.onProgress?.({ ...progress });
  const syncRead = (currentFilePosition?: number) => {
    // Files are read in order: every file before the current one is finished.
    const before = sizes.slice(0, Math.max(0, readStats.files.length - 1)).reduce((a, b) => a + b, 0);
    progress.bytesRead = Math.min(bytesTotal, before + (currentFilePosition ?? 0));
    progress.lines = readStats.lines;
    progress.badLines = readStats.badLines;
    progress.sessions = sessions.length;
    progress.indicators = collector.size;
  };

  const events = readCowrieLogs(files, {
    ...(state ? { state } : {}),
    ...(signal ? { signal } : {}),
    stats: readStats,
    onProgress: (p) => {
      syncRead(p.bytesRead);
      emit();
    },
  });
  const correlationRun = new Date(gateway.clock.now()).toISOString().slice(0, 10);
  for await (const session of buildSessions(events, builder)) {
    sessions.push(session);
    if (!options.dryRun) gateway.recordCowrieSession(session, correlationRun);
    collector.add(session);
  }
  syncRead();
  progress.bytesRead = bytesTotal;
  emit();

  // New hashes first: a hash VirusTotal already answered (fresh in the cache) can wait.
  const known = new Set<string>();
  for (const x of collector.list()) {
    if (x.kind !== 'file') continue;
    const hit = await gateway.cache.get('virustotal', 'file', x.id);
    if (hit?.fresh) known.add(x.id);
  }
  const indicators = collector.list({ isKnown: (kind, id) => kind === 'file' && known.has(id) });
  const tasks = lookupTasks(indicators, plan);

  const results: ProviderResults = new Map();
  const failures: LookupFailure[] = [];
  let estimate: Partial<Record<ProviderName, Estimate>> | undefined;
  let stateSaved = false;
  let stateNote: string | undefined;

  if (options.dryRun) {
    estimate = {};
    for (const [provider, run] of plan.runs) {
      if (run.enabled) estimate[provider] = await estimateProvider(gateway, provider, tasks.get(provider) ?? []);
    }
    if (state) stateNote = 'not saved: dry run';
  } else {
    progress.phase = 'enrich';
    progress.lookupsTotal = [...tasks.values()].reduce((n, list) => n + list.length, 0);
    emit();
    await runLookups(gateway, tasks, {
      plan,
      results,
      failures,
      priority: options.priority ?? 'batch',
      ...(signal ? { signal } : {}),
      ...(options.window ? { window: options.window } : {}),
      onDone: () => {
        const t = totals(plan);
        progress.lookupsDone = t.done;
        progress.upstreamCalls = t.upstreamCalls;
        emit();
      },
    });
    signal?.throwIfAborted();
    const failed = totals(plan).failed;
    if (state && failed > 0 && !options.saveStateOnFailure) {
      stateNote = `not saved: ${failed} lookup(s) failed; the next run reads these lines again and retries only those`;
    } else if (state) {
      await state.save();
      stateSaved = true;
    }
  }

  const report = buildCowrieReport({
    sessions,
    indicators,
    results,
    readStats,
    extractStats: collector.stats,
    ...(options.extract ? { extractOptions: options.extract } : {}),
    ...(options.top ? { top: options.top } : {}),
    generatedAt: gateway.clock.now(),
  });
  const t = totals(plan);
  const hashes = indicators.filter((x) => x.kind === 'file');
  return {
    report: { ...report, dryRun: options.dryRun ?? false, providers: [...plan.runs.values()], failures },
    ...(estimate ? { estimate } : {}),
    stats: {
      files: readStats.files.length,
      filesUnchanged: readStats.files.filter((f) => f.unchanged).length,
      fileErrors: readStats.fileErrors,
      bytesRead: readStats.bytesRead,
      bytesTotal,
      lines: readStats.lines,
      events: readStats.events,
      badLines: readStats.badLines,
      truncatedLines: readStats.truncatedLines,
      sessions: sessions.filter((s) => !s.fragment).length,
      indicators: indicators.length,
      newHashes: hashes.filter((x) => !x.known).length,
      knownHashes: hashes.filter((x) => x.known).length,
      lookupsTotal: [...tasks.values()].reduce((n, list) => n + list.length, 0),
      lookupsDone: options.dryRun ? 0 : t.done,
      fromCache: t.fromCache,
      upstreamCalls: t.upstreamCalls,
      failed: t.failed,
      skippedProviders: [...plan.runs.values()].filter((r) => !r.enabled).map((r) => r.provider),
      stateSaved,
      ...(stateNote ? { stateNote } : {}),
    },
    read: readStats,
  };
}

// ---- text output ---------------------------------------------------------------------------------

function clean(text: string, max = 100): string {
  const t = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The report's summary text plus what the pipeline adds: providers used or skipped, failures, dry-run costs. */
export function enrichmentSummaryText(result: Pick<CowrieEnrichResult, 'report' | 'estimate'> & { stats?: CowrieEnrichStats }): string {
  const { report } = result;
  const out: string[] = [toSummaryText(report).trimEnd(), ''];
  out.push(report.dryRun ? 'Providers (dry run: nothing was looked up)' : 'Providers');
  for (const p of report.providers) {
    if (!p.enabled) out.push(`  ${p.provider}: skipped (${p.note ?? 'not configured'})`);
    else if (report.dryRun) {
      const e = result.estimate?.[p.provider];
      out.push(
        e
          ? `  ${p.provider}: ${e.upstream} upstream call(s) needed, ${e.cached} cached, ${e.inFlight} in flight` +
              (e.etaMs > 0 ? `, about ${Math.ceil(e.etaMs / 1000)} s at the current quota` : '')
          : `  ${p.provider}: nothing to look up`,
      );
    } else {
      out.push(`  ${p.provider}: ${p.lookups} lookup(s), ${p.upstreamCalls} upstream call(s), ${p.fromCache} from cache, ${p.failed} failed`);
    }
  }
  if (report.failures.length > 0) {
    out.push('', `Failed lookups (${report.failures.length})`);
    for (const f of report.failures.slice(0, 20)) out.push(`  ${f.provider} ${f.kind} ${clean(f.value, 90)}: ${f.code}: ${clean(f.message)}`);
    if (report.failures.length > 20) out.push(`  … and ${report.failures.length - 20} more`);
  }
  if (result.stats?.stateNote) out.push('', `State file ${result.stats.stateNote}`);
  return `${out.join('\n')}\n`;
}
