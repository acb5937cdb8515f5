import type { Report } from '../providers/types.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** How long one provider's answers stay fresh (ms). */
export interface ProviderTtl {
  found: number;
  /** Negative cache: how long "not found" is believed before asking again. */
  notFound: number;
}

/** Freshness per provider, in milliseconds. Every value is configurable. */
export interface TtlPolicy {
  virustotal: ProviderTtl & {
    /** For verdicts likely to move soon: a sample first seen recently, or 0 detections (or no stats). */
    recheck: number;
    /** A sample first seen less than this long ago counts as recent. */
    recentSampleAgeMs: number;
  };
  urlhaus: ProviderTtl;
  dshield: ProviderTtl;
  spur: ProviderTtl;
}

/** Seed defaults: VT 30 d (1 d when recent or undetected), VT not found 12 h, URLhaus 3 d, DShield 7 d, SPUR 14 d. */
export const DEFAULT_TTL_POLICY: TtlPolicy = Object.freeze({
  virustotal: Object.freeze({ found: 30 * DAY, recheck: DAY, recentSampleAgeMs: 7 * DAY, notFound: 12 * HOUR }),
  // Other providers' "not found" is also short: a new URL or IP shows up in their feeds within hours.
  urlhaus: Object.freeze({ found: 3 * DAY, notFound: 12 * HOUR }),
  dshield: Object.freeze({ found: 7 * DAY, notFound: 12 * HOUR }),
  spur: Object.freeze({ found: 14 * DAY, notFound: 12 * HOUR }),
}) as TtlPolicy;

function detectionsOf(report: Report): number | undefined {
  return report.detections ?? report.stats?.malicious;
}

/** How long (ms, >= 0) `report` stays fresh from `now` under `policy`. */
export function ttlFor(report: Report, policy: TtlPolicy, now: number): number {
  const rules: ProviderTtl | undefined = policy[report.provider];
  if (!rules) return 0;
  if (!report.found) return Math.max(0, rules.notFound);
  if (report.provider !== 'virustotal') return Math.max(0, rules.found);
  const vt = policy.virustotal;
  const firstSeen = report.firstSeenAt;
  const recent = typeof firstSeen === 'number' && now - firstSeen < vt.recentSampleAgeMs;
  const detections = detectionsOf(report);
  const undetected = detections === undefined || detections === 0;
  return Math.max(0, recent || undetected ? vt.recheck : vt.found);
}
