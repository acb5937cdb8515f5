import type { Indicator } from '../indicators/index.js';
import type { LookupResult } from './types.js';

/** What the tiered cache answers for one indicator, as the lookup path reads it. */
export interface CacheLookupLike {
  entry: { report: LookupResult['report']; fetchedAt: number };
  fresh: boolean;
  ageMs: number;
}

/** A cached report as the answer to `indicator` (fresh or served stale). */
export function fromCache(indicator: Indicator, found: CacheLookupLike, source: 'cache' | 'stale'): LookupResult {
  const report = found.entry.report;
  return {
    indicator,
    provider: report.provider,
    source,
    stale: source === 'stale',
    ageMs: found.ageMs,
    fetchedAt: found.entry.fetchedAt,
    // the cached report already names the indicator as asked (the usual case): no copy per hit
    report: report.id === indicator.id && report.indicator === indicator.value ? report : { ...report, id: indicator.id, indicator: indicator.value },
  };
}
