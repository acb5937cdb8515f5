/** Multi-source enrichment: every applicable provider at once, merged into one result. */
import { type Indicator, type IndicatorKind, parseIndicator } from '../indicators/index.js';
import type { ProviderName, Verdict } from '../providers/types.js';
import type { Priority } from '../scheduler/index.js';
import type { Gateway } from './gateway.js';
import type { LookupResult } from './types.js';

/** Which providers can say something about each kind (file: VT + URLhaus payload; IP: VT + DShield + SPUR; ...). */
export const ENRICHMENT_PROVIDERS: Record<IndicatorKind, ProviderName[]> = {
  file: ['virustotal', 'urlhaus'],
  url: ['virustotal', 'urlhaus'],
  domain: ['virustotal', 'urlhaus'],
  ip: ['virustotal', 'dshield', 'spur'],
};

/** Worst first: the overall verdict is the first of these any source gave. */
export const VERDICT_ORDER: Verdict[] = ['malicious', 'suspicious', 'harmless', 'undetected', 'not_found', 'unknown'];

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
  onUpstreamCall?: () => void;
}

export function overallVerdict(verdicts: Verdict[]): Verdict {
  for (const v of VERDICT_ORDER) if (verdicts.includes(v)) return v;
  return 'unknown';
}

export async function enrichIndicator(
  gateway: Gateway,
  input: string,
  options: EnrichOptions,
): Promise<EnrichResult> {
  const indicator = parseIndicator(input);
  const wanted = ENRICHMENT_PROVIDERS[indicator.kind].filter((p) => !options.providers || options.providers.includes(p));
  const available = new Set(gateway.providersFor(indicator.kind));
  const sources = await Promise.all(
    wanted.map(async (provider): Promise<EnrichSource> => {
      if (!available.has(provider)) {
        return { provider, ok: false, skipped: gateway.providerNote(provider) ?? `${provider} does not look up ${indicator.kind} indicators` };
      }
      try {
        const result = await gateway.lookup(indicator, {
          provider,
          signal: options.signal,
          priority: options.priority,
          tenant: options.tenant,
          cacheOnly: options.cacheOnly,
          onUpstreamCall: options.onUpstreamCall,
        });
        return { provider, ok: true, result };
      } catch (err) {
        const e = err as { code?: string; name?: string; message?: string };
        return { provider, ok: false, error: { code: e.code ?? e.name ?? 'Error', message: e.message ?? String(err) } };
      }
    }),
  );
  const verdicts = sources.flatMap((s) => (s.ok ? [s.result.report.verdict] : []));
  return { indicator, verdict: overallVerdict(verdicts), sources };
}
