/**
 * The lookups of a Cowrie run, shared by the batch run and the follower: which providers each
 * indicator kind goes to, and each (provider, indicator) looked up once through the Gateway.
 */
import { setMaxListeners } from 'node:events';
import { ENRICHMENT_PROVIDERS, type Estimate, type Gateway, type Priority } from '../gateway/index.js';
import type { Indicator, IndicatorKind } from '../indicators/index.js';
import { PROVIDERS, type ProviderName, type Report } from '../providers/types.js';
import { isRemoteUrl } from './commands.js';
import { type CowrieIndicator, EMPTY_SHA256 } from './extract.js';
import type { ProviderResults } from './report.js';

export const ALL_PROVIDERS: readonly ProviderName[] = PROVIDERS;


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
 * Looks every task up through the gateway's enrichment (`gateway.enrichMany`), which drives each
 * provider with its own window of lookups in flight, so a slow provider (DShield, 1/s) never holds
 * back the others. Aborting rejects; anything else is a failure.
 */
export async function runLookups(gateway: Gateway, tasks: Map<ProviderName, CowrieIndicator[]>, run: LookupRun): Promise<void> {
  const byIndicator = new Map<Indicator, CowrieIndicator>();
  const planned = new Set<string>();
  for (const [provider, list] of tasks) {
    for (const x of list) {
      byIndicator.set(x.indicator, x);
      planned.add(`${provider}:${x.kind}:${x.id}`);
    }
  }
  await gateway.enrichMany([...byIndicator.keys()], {
    providers: [...tasks.keys()],
    priority: run.priority,
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.cacheOnly ? { cacheOnly: true } : {}),
    window: Math.max(1, run.window ?? 64),
    onSource: (indicator, source, upstream) => {
      const x = byIndicator.get(indicator) as CowrieIndicator;
      // not for this provider in this run (planned elsewhere), or aborted: nothing to count
      if ('skipped' in source || !planned.has(`${source.provider}:${x.kind}:${x.id}`) || run.signal?.aborted) return;
      const stats = run.plan.runs.get(source.provider) as ProviderRun;
      stats.lookups++;
      if (source.ok) {
        if (upstream) stats.upstreamCalls++;
        else stats.fromCache++;
        const entry = run.results.get(x.id) ?? {};
        entry[source.provider] = source.result.report as Report;
        run.results.set(x.id, entry);
      } else {
        stats.failed++;
        run.failures.push({ provider: source.provider, kind: x.kind, value: x.value, id: x.id, ...source.error });
      }
      run.onDone?.();
    },
  });
  run.signal?.throwIfAborted();
}

export function totals(plan: ProviderPlan): { fromCache: number; upstreamCalls: number; failed: number; done: number } {
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
export function estimateProvider(gateway: Gateway, provider: ProviderName, list: readonly CowrieIndicator[]): Promise<Estimate> {
  return gateway.estimate(list.map((x) => x.indicator), { provider });
}

/** A signal of our own that follows the caller's: the many lookups listening to it would trip Node's listener warning. */
export function linkedSignal(outer: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const onAbort = () => inner.abort(outer.reason);
  if (outer.aborted) inner.abort(outer.reason);
  else outer.addEventListener('abort', onAbort, { once: true });
  return { signal: inner.signal, dispose: () => outer.removeEventListener('abort', onAbort) };
}
