/**
 * Multi-source enrichment: every applicable provider at once, merged into one result, for one
 * indicator (`vtg enrich`, `/api/enrich`) or many (a Cowrie run). Many are driven per provider, each
 * with its own window of lookups in flight, so a slow provider (DShield, 1/s) never holds back the
 * others (VirusTotal's lookups go on while DShield's wait their turn).
 */
import { answerPermalink, type Indicator, type IndicatorKind, parseIndicator, permalinkOf } from '../indicators/index.js';
import { errorInfo, runPool } from '../common/index.js';
import { type ProviderName, type Verdict, VERDICT_ORDER, worstVerdict } from '../providers/types.js';
import type { Priority } from '../scheduler/index.js';
import type { LookupService } from './lookups.js';
import type { LookupResult } from './types.js';

/** Which providers can say something about each kind (file: VT + URLhaus payload; IP: VT + DShield + SPUR; ...). */
export const ENRICHMENT_PROVIDERS: Record<IndicatorKind, ProviderName[]> = {
  file: ['virustotal', 'urlhaus'],
  url: ['virustotal', 'urlhaus'],
  domain: ['virustotal', 'urlhaus'],
  ip: ['virustotal', 'dshield', 'spur'],
};

export { VERDICT_ORDER };

export type EnrichSource =
  | { provider: ProviderName; ok: true; result: LookupResult }
  | { provider: ProviderName; ok: false; error: { code: string; message: string } }
  | { provider: ProviderName; ok: false; skipped: string };

export interface EnrichResult {
  indicator: Indicator;
  verdict: Verdict;
  /** The indicator's page on VirusTotal (a file by the SHA-256 VirusTotal gave, when it answered). */
  permalink: string | null;
  sources: EnrichSource[];
}

export interface EnrichOptions {
  providers?: ProviderName[];
  signal?: AbortSignal;
  priority?: Priority;
  tenant?: string;
  /** Answer from the cache only (the reader role): never spends quota. */
  cacheOnly?: boolean;
  /** Called once per upstream call the enrichment made (for per-token budgets). */
  onUpstreamCall?: () => void | Promise<void>;
}

export function overallVerdict(verdicts: Verdict[]): Verdict {
  return worstVerdict(verdicts);
}

export interface EnrichManyOptions extends EnrichOptions {
  /** Lookups in flight per provider (default 64); the scheduler paces the upstream calls anyway. */
  window?: number;
  /**
   * Each (indicator, provider) answer as it comes, in each provider's list order. `upstream` is true
   * when this lookup made the upstream call (not the cache, not another caller's call in flight).
   */
  onSource: (indicator: Indicator, source: EnrichSource, upstream: boolean) => void;
}

/**
 * Every applicable provider for each indicator, per provider in list order. A source that fails is
 * reported, never thrown; once `signal` aborts, no further lookup starts.
 */
export async function enrichMany(lookups: LookupService, indicators: readonly Indicator[], options: EnrichManyOptions): Promise<void> {
  const available = new Map<IndicatorKind, Set<ProviderName>>();
  const perProvider = new Map<ProviderName, Indicator[]>();
  for (const indicator of indicators) {
    let configured = available.get(indicator.kind);
    if (!configured) {
      configured = new Set(lookups.providersFor(indicator.kind));
      available.set(indicator.kind, configured);
    }
    for (const provider of ENRICHMENT_PROVIDERS[indicator.kind]) {
      if (options.providers && !options.providers.includes(provider)) continue;
      if (!configured.has(provider)) {
        const skipped = lookups.providerNote(provider) ?? `${provider} does not look up ${indicator.kind} indicators`;
        options.onSource(indicator, { provider, ok: false, skipped }, false);
        continue;
      }
      const list = perProvider.get(provider) ?? [];
      list.push(indicator);
      perProvider.set(provider, list);
    }
  }
  const one = async (provider: ProviderName, indicator: Indicator) => {
    let upstream = false;
    let source: EnrichSource;
    try {
      const result = await lookups.lookup(indicator, {
        provider,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.priority ? { priority: options.priority } : {}),
        ...(options.tenant ? { tenant: options.tenant } : {}),
        ...(options.cacheOnly ? { cacheOnly: true } : {}),
        onUpstreamCall: () => {
          upstream = true;
          return options.onUpstreamCall?.();
        },
      });
      source = { provider, ok: true, result };
    } catch (err) {
      source = { provider, ok: false, error: errorInfo(err) };
    }
    options.onSource(indicator, source, upstream);
  };
  const window = Math.max(1, options.window ?? 64);
  const stopped = () => options.signal?.aborted === true;
  await Promise.all([...perProvider].map(([provider, list]) => runPool(list.length, window, (i) => one(provider, list[i] as Indicator), stopped)));
}

/** Every applicable provider at once for one indicator; a source that fails is reported, never thrown. */
export async function enrichIndicator(lookups: LookupService, input: string | Indicator, options: EnrichOptions = {}): Promise<EnrichResult> {
  const indicator = typeof input === 'string' ? parseIndicator(input) : input;
  const answered = new Map<ProviderName, EnrichSource>();
  await enrichMany(lookups, [indicator], { ...options, window: 1, onSource: (_, source) => answered.set(source.provider, source) });
  const sources = ENRICHMENT_PROVIDERS[indicator.kind].flatMap((p) => answered.get(p) ?? []);
  const verdicts = sources.flatMap((s) => (s.ok ? [s.result.report.verdict] : []));
  const vt = sources.find((s) => s.provider === 'virustotal');
  const permalink = (vt?.ok ? answerPermalink(vt.result) : null) ?? permalinkOf(indicator.kind, indicator.id);
  return { indicator, verdict: overallVerdict(verdicts), permalink, sources };
}
