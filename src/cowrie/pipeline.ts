/**
 * The Cowrie enrichment pipeline (`vtg enrich cowrie`): read the logs (incrementally with a state
 * file), group sessions, collect their indicators deduplicated over the whole run, look each one up
 * once per applicable provider through the Gateway (cache, single-flight, governor), and build the
 * report. New hashes go first; a provider without a key is skipped with its note; a failed lookup is
 * recorded, never fatal. The state file is saved only once every lookup of the run has finished, so
 * an interrupted run reads those lines again next time and the cache makes that free.
 */
import { stat } from 'node:fs/promises';
import type { Estimate, Gateway, } from '../gateway/index.js';
import type { ProviderName } from '../providers/types.js';
import { type CowrieIndicator, IndicatorCollector } from './extract.js';
import { resolveLogFiles } from './files.js';
import {
  estimateProvider,
  type LookupFailure,
  linkedSignal,
  lookupTasks,
  planProviders,
  runLookups,
  totals,
  worthLookingUp,
} from './lookups.js';
import { createReadStats, readCowrieBatches } from './reader.js';
import { buildCowrieReport, type ProviderResults, ReportAccumulator, sessionRecord } from './report.js';
import { seenKey } from './report-providers.js';
import { SessionSpool } from './session-spool.js';
import { type CowrieSession, SessionBuilder } from './sessions.js';
import { CowrieState } from './state.js';

export {
  ALL_PROVIDERS,
  type LookupFailure,
  type LookupRun,
  lookupTasks,
  type ProviderPlan,
  type ProviderRun,
  planProviders,
  runLookups,
  worthLookingUp,
} from './lookups.js';
export { enrichmentSummaryText } from './pipeline-text.js';
export type { CowrieEnrichOptions, CowrieEnrichProgress, CowrieEnrichResult, CowrieEnrichStats, CowrieWatchlistResult, EnrichedCowrieReport } from './pipeline-types.js';
import type { CowrieEnrichOptions, CowrieEnrichProgress, CowrieEnrichResult, CowrieWatchlistResult } from './pipeline-types.js';


/** The payloads and droppers a run found (file hashes and URLs) go on the list; attacker addresses would flood it. */
export async function addToWatchlist(gateway: Gateway, name: string, found: readonly CowrieIndicator[]): Promise<CowrieWatchlistResult> {
  const values = found.filter((x) => (x.kind === 'file' || x.kind === 'url') && worthLookingUp(x)).map((x) => x.value);
  const r = await gateway.watchlists.add(name, values);
  return { name: r.watchlist.name, added: r.added, existing: r.existing };
}

export async function enrichCowrieLogs(gateway: Gateway, options: CowrieEnrichOptions): Promise<CowrieEnrichResult> {
  const linked = options.signal ? linkedSignal(options.signal) : undefined;
  const spool = options.onSession && !options.dryRun ? new SessionSpool() : undefined;
  try {
    return await enrich(gateway, options, linked?.signal, spool);
  } finally {
    spool?.dispose();
    linked?.dispose();
  }
}

async function enrich(gateway: Gateway, options: CowrieEnrichOptions, signal: AbortSignal | undefined, spool: SessionSpool | undefined): Promise<CowrieEnrichResult> {
  const plan = planProviders(gateway, options.providers);
  const state = options.statePath ? await CowrieState.load(options.statePath) : undefined;
  // Indicators of earlier runs, as they were before this one (for newSinceLastRun).
  const seenBefore = state?.seenSnapshot();

  const files = await resolveLogFiles(options.paths);
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size, () => 0)));
  const bytesTotal = sizes.reduce((a, b) => a + b, 0);

  const readStats = createReadStats();
  const builder = new SessionBuilder({
    ...(options.idleCloseMs !== undefined ? { idleCloseMs: options.idleCloseMs } : {}),
    ...(options.maxOpenSessions !== undefined ? { maxOpenSessions: options.maxOpenSessions } : {}),
  });
  const collector = new IndicatorCollector(options.extract);
  const acc = new ReportAccumulator({ keepSessions: !spool && (options.keepSessions ?? true), ...(options.extract ? { extract: options.extract } : {}) });
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
    progress.sessions = acc.sessions;
    progress.indicators = collector.size;
  };

  const batches = readCowrieBatches(files, {
    ...(state ? { state } : {}),
    ...(signal ? { signal } : {}),
    stats: readStats,
    fields: 'report',
    onProgress: (p) => {
      syncRead(p.bytesRead);
      emit();
    },
  });
  const correlationRun = new Date(gateway.clock.now()).toISOString().slice(0, 10);
  // A dry run records nothing: its sessions are taken synchronously, without a promise and an await each.
  const takeNow = (session: CowrieSession) => {
    acc.add(session);
    spool?.add(session);
    collector.add(session);
  };
  const take = async (session: CowrieSession) => {
    if (options.dryRun) return takeNow(session);
    acc.add(session);
    spool?.add(session);
    await gateway.recordCowrieSession(session, correlationRun);
    collector.add(session);
  };
  for await (const batch of batches) {
    if (options.dryRun) {
      for (const event of batch) {
        const done = builder.push(event);
        if (done) takeNow(done);
        const idle = builder.takeIdle();
        for (let i = 0; i < idle.length; i++) takeNow(idle[i] as CowrieSession);
      }
      continue;
    }
    for (const event of batch) {
      const done = builder.push(event);
      if (done) await take(done);
      for (const idle of builder.takeIdle()) await take(idle);
    }
  }
  for (const session of builder.flush()) await take(session);
  syncRead();
  progress.bytesRead = bytesTotal;
  emit();

  const watchlist = options.watchlist && !options.dryRun ? await addToWatchlist(gateway, options.watchlist, collector.list()) : undefined;

  // New hashes first: a hash VirusTotal already answered (fresh in the cache) can wait.
  const known = await gateway.freshIds('virustotal', 'file', collector.list().filter((x) => x.kind === 'file').map((x) => x.id));
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
    const byProvider = () =>
      [...plan.runs.values()]
        .filter((r) => r.enabled)
        .map((r) => ({ provider: r.provider, total: tasks.get(r.provider)?.length ?? 0, done: r.fromCache + r.upstreamCalls + r.failed, upstreamCalls: r.upstreamCalls }));
    progress.phase = 'enrich';
    progress.lookupsTotal = [...tasks.values()].reduce((n, list) => n + list.length, 0);
    progress.providers = byProvider();
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
        progress.providers = byProvider();
        emit();
      },
    });
    signal?.throwIfAborted();
    const failed = totals(plan).failed;
    if (state && failed > 0 && !options.saveStateOnFailure) {
      stateNote = `not saved: ${failed} lookup(s) failed; the next run reads these lines again and retries only those`;
    } else if (state) {
      for (const x of indicators) state.markSeen(seenKey(x.kind, x.id));
      await state.save();
      stateSaved = true;
    }
  }

  const report = buildCowrieReport({
    sessions: [],
    accumulator: acc,
    lookedUp: !options.dryRun,
    ...(seenBefore ? { seenBefore } : {}),
    indicators,
    results,
    readStats,
    extractStats: collector.stats,
    ...(options.extract ? { extractOptions: options.extract } : {}),
    ...(options.top ? { top: options.top } : {}),
    generatedAt: gateway.clock.now(),
  });
  if (spool && options.onSession) {
    const byKey = new Map(report.indicators.map((x) => [`${x.kind}:${x.id}`, x]));
    for await (const session of spool.sessions()) {
      signal?.throwIfAborted();
      await options.onSession(sessionRecord(session, byKey, options.extract));
    }
  }
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
      sessions: acc.sessions,
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
      ...(watchlist ? { watchlist } : {}),
    },
    read: readStats,
  };
}
