import type { ProviderName, QuotaLimits } from './types.js';

/**
 * Limits per provider. VirusTotal's public key: 4 a minute, 500 a day, 15.5K a month, spaced by a
 * bucket of burst 1 (one call every 15 s), with a 1 s margin on the sliding minute for network latency.
 */
export const DEFAULT_LIMITS: Record<ProviderName, QuotaLimits> = {
  virustotal: { minute: 4, day: 500, month: 15500, burst: 1, minuteMarginMs: 1000 },
  dshield: { ratePerSec: 1, burst: 2 },
  urlhaus: { ratePerSec: 2, burst: 3 },
  spur: { ratePerSec: 1, burst: 2 },
};
