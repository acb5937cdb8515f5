import type { Verdict } from '../../providers/types.js';

/** Order of verdicts for combining providers (higher wins) and for sorting. */
export const SEVERITY: Record<Verdict, number> = {
  malicious: 5,
  suspicious: 4,
  harmless: 3,
  undetected: 2,
  unknown: 1,
  not_found: 0,
};

export const VERDICTS = Object.keys(SEVERITY) as Verdict[];

export function isVerdict(v: string): v is Verdict {
  return Object.hasOwn(SEVERITY, v);
}
