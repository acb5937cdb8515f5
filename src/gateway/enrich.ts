/** Multi-source enrichment: every applicable provider at once, merged into one result. */
import { type Indicator, type IndicatorKind, parseIndicator } from '../indicators/index.js';
import { errorInfo } from '../common/index.js';
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

/** Every applicable provider at once for one indicator; a source that fails is reported, never thrown. */
export async function enrichIndicator(lookups: LookupService, input: string | Indicator, options: EnrichOptions = {}): Promise<EnrichResult> {
  const indicator = typeof input === 'string' ? parseIndicator(input) : input;
  const wanted = ENRICHMENT_PROVIDERS[indicator.kind].filter((p) => !options.providers || options.providers.includes(p));
  const available = new Set(lookups.providersFor(indicator.kind));
  const sources = await Promise.all(
    wanted.map(async (provider): Promise<EnrichSource> => {
      if (!available.has(provider)) {
        return { provider, ok: false, skipped: lookups.providerNote(provider) ?? `${provider} does not look up ${indicator.kind} indicators` };
      }
      try {
        const result = await lookups.lookup(indicator, {
          provider,
          signal: options.signal,
          priority: options.priority,
          tenant: options.tenant,
          cacheOnly: options.cacheOnly,
          onUpstreamCall: options.onUpstreamCall,
        });
        return { provider, ok: true, result };
      } catch (err) {
        return { provider, ok: false, error: errorInfo(err) };
      }
    }),
  );
  const verdicts = sources.flatMap((s) => (s.ok ? [s.result.report.verdict] : []));
  return { indicator, verdict: overallVerdict(verdicts), sources };
}
