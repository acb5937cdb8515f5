/**
 * Shapes shared by every provider (VirusTotal, URLhaus, DShield, SPUR) and everything above them.
 * A provider client turns one upstream answer into a `Report`; the gateway caches, stores and returns it.
 */
import type { Indicator, IndicatorKind } from '../indicators/index.js';

/** Every provider, in the order reports list them. The one list of providers. */
export const PROVIDERS = ['virustotal', 'urlhaus', 'dshield', 'spur'] as const;
export type ProviderName = (typeof PROVIDERS)[number];
/** The indicator kinds each provider looks up (its `supports`), known without loading its client. */
export const PROVIDER_KINDS: Record<ProviderName, readonly IndicatorKind[]> = {
  virustotal: ['file', 'url', 'domain', 'ip'],
  urlhaus: ['file', 'url', 'domain', 'ip'],
  dshield: ['ip'],
  spur: ['ip'],
};

/** What an upstream call is for; the governor's ledger counts calls by kind. */
export type CallKind = 'lookup' | 'upload' | 'upload_url' | 'analysis' | 'rescan' | 'scan_url' | 'quota' | 'other';

/**
 * Called by a provider client right before each upstream HTTP request; resolves when the governor
 * grants it, with the governor key of the pool member the call must go out on (nothing: the one key).
 */
export type Permit = (kind: CallKind) => Promise<string | undefined>;

export interface RequestOptions {
  signal?: AbortSignal;
  /** Governor hook: awaited before every upstream HTTP request the call makes. */
  permit?: Permit;
}

/** Worst first: the one verdict ranking (an overall verdict is the first of these any source gave). */
export const VERDICT_ORDER = ['malicious', 'suspicious', 'harmless', 'undetected', 'not_found', 'unknown'] as const;
export type Verdict = (typeof VERDICT_ORDER)[number];

/** The worst of several verdicts ('unknown' when there are none). */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let best: number = VERDICT_ORDER.length - 1;
  for (const v of verdicts) best = Math.min(best, VERDICT_ORDER.indexOf(v));
  return VERDICT_ORDER[best] as Verdict;
}

/** Rank of a verdict, 0 being the worst (for sorting). */
export function verdictRank(v: Verdict): number {
  const i = VERDICT_ORDER.indexOf(v);
  return i < 0 ? VERDICT_ORDER.length : i;
}

/** Summary of v3 `last_analysis_stats` (seed 000's `extract_analysis_stats`). */
export interface AnalysisStats {
  malicious: number;
  suspicious: number;
  harmless: number;
  undetected: number;
  timeout: number;
  /** File-only keys (0 for other kinds). */
  confirmedTimeout: number;
  typeUnsupported: number;
  failure: number;
  /** Engines that gave a verdict: malicious + suspicious + harmless + undetected. */
  engines: number;
  /** Every engine counted in the stats, including timeouts and failures. */
  total: number;
}

/** One provider's normalised answer for one indicator. This is what is cached and stored in history. */
export interface Report {
  provider: ProviderName;
  kind: IndicatorKind;
  /** Canonical id (hash lower-case, sha256 of the URL, domain, IP). */
  id: string;
  /** The indicator as the user would read it (the URL itself rather than its hash). */
  indicator: string;
  found: boolean;
  verdict: Verdict;
  stats?: AnalysisStats;
  /** `malicious` count (VirusTotal) or a provider's own count of hits. */
  detections?: number;
  engines?: number;
  threatLabel?: string | null;
  reputation?: number | null;
  /** Epoch ms of the upstream's last analysis / first submission, when known. */
  lastAnalysisAt?: number | null;
  firstSeenAt?: number | null;
  /** The upstream object as received (VT: the `data` object). Read `details` rather than parsing it again. */
  data: unknown;
  /** What the provider already parsed out of `data`, typed (absent on answers cached before it existed). */
  details?: ReportDetails;
  /** Epoch ms when the gateway received it from upstream. */
  fetchedAt: number;
}

/** A file's hashes as VirusTotal gave them (lower-case). */
export interface FileHashes {
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
}

export interface VirusTotalDetails {
  provider: 'virustotal';
  /** Files only: every hash of the file, so it is a cache hit by any of them. */
  hashes?: FileHashes;
}

export interface DshieldDetails {
  provider: 'dshield';
  /** Reports (packets/log lines) received from the address. */
  count: number | null;
  /** Distinct targets the address attacked. */
  attacks: number | null;
  network: string | null;
  asn: number | null;
  asName: string | null;
  asCountry: string | null;
  threatFeeds: string[];
}

export interface SpurDetails {
  provider: 'spur';
  organization: string | null;
  asOrganization: string | null;
  asn: number | null;
  country: string | null;
  infrastructure: string | null;
  risks: string[];
  /** Proxy services seen on the address (residential proxy exits). */
  proxies: string[];
  tunnels: Array<{ type: string | null; operator: string | null; anonymous: boolean | null }>;
}

export interface UrlhausDetails {
  provider: 'urlhaus';
  /** URL answers: `online`, `offline` or `unknown`; null for hosts and payloads. */
  status: string | null;
  /** Payloads URLhaus saw served (URL answers), or the payload itself (hash answers). */
  payloads: Array<{ sha256: string | null; md5: string | null; fileType: string | null; signature: string | null }>;
}

export type ReportDetails = VirusTotalDetails | DshieldDetails | SpurDetails | UrlhausDetails;

export interface Provider {
  readonly name: ProviderName;
  supports(kind: IndicatorKind): boolean;
  /** One lookup; a "not found" answer is a Report with found=false, not an error. */
  lookup(indicator: Indicator, options?: RequestOptions): Promise<Report>;
}
