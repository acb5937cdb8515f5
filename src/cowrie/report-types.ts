/** The shapes of the Cowrie report (built in report.ts, written in format.ts). */
import type { IndicatorKind } from '../indicators/index.js';
import type { ProviderName, Report, Verdict } from '../providers/types.js';
import type { CowrieIndicator, ExtractOptions, ExtractStats } from './extract.js';
import type { BadLineSample, CowrieReadStats } from './reader.js';
import type { ReportAccumulator } from './report-accumulate.js';
import type { CowrieSession } from './sessions.js';

/** Indicator id -> the Reports each provider gave for it. */
export type ProviderResults = Map<string, Partial<Record<ProviderName, Report>>>;

export interface ProviderVerdict {
  verdict: Verdict;
  detections?: number;
  /** Engines that gave a verdict (VirusTotal), so detections read `detections/engines`. */
  engines?: number;
  threatLabel?: string | null;
}

export type ProviderVerdicts = Partial<Record<ProviderName, ProviderVerdict>>;

export interface HashRow {
  sha256: string;
  /** `https://www.virustotal.com/gui/file/<sha256>`. */
  permalink: string;
  /** Attacker addresses that downloaded or uploaded it (the first 50). */
  sourceIps: string[];
  /** VirusTotal's first submission (epoch ms), when VirusTotal answered. */
  firstSubmissionAt: number | null;
  /** Not seen by an earlier run with the same state file; null without a state file. */
  newSinceLastRun: boolean | null;
  names: string[];
  sessions: number;
  events: number;
  roles: string[];
  /** Worst verdict over the providers ('unknown' when none answered). */
  verdict: Verdict;
  malicious: boolean;
  threatLabel: string | null;
  /** VirusTotal's malicious count, when VT answered. */
  detections: number | null;
  /** Engines that gave a verdict, when VT answered (detections are `detections/engines`). */
  engines: number | null;
  providers: ProviderVerdicts;
}

export interface UrlRow {
  url: string;
  id: string;
  /** `https://www.virustotal.com/gui/url/<sha256 of the url>`. */
  permalink: string;
  newSinceLastRun: boolean | null;
  host: string | null;
  sessions: number;
  events: number;
  roles: string[];
  /** URLhaus status in words: online, offline, unknown (listed without a status), not listed; null when not asked. */
  urlhausStatus: string | null;
  verdict: Verdict;
  threatLabel: string | null;
  providers: ProviderVerdicts;
}

export interface DshieldContext {
  count: number | null;
  attacks: number | null;
  threatFeeds: string[];
  asName: string | null;
  asCountry: string | null;
  network: string | null;
}

export interface SpurSummary {
  organization: string | null;
  infrastructure: string | null;
  country: string | null;
  risks: string[];
  tunnelOperators: string[];
  proxies: string[];
  anonymising: boolean;
}

export interface IpRow {
  ip: string;
  /** From DShield, else SPUR, else VirusTotal's IP object; null when none knows. */
  asn: number | null;
  asOrg: string | null;
  country: string | null;
  /** SPUR's VPN/proxy/Tor operator (never the organisation), null when SPUR saw none or was not asked. */
  tunnel: string | null;
  newSinceLastRun: boolean | null;
  sessions: number;
  events: number;
  loginSuccesses: number;
  commands: number;
  downloads: number;
  verdict: Verdict;
  dshield: DshieldContext | null;
  spur: SpurSummary | null;
  providers: ProviderVerdicts;
}

export interface CommandRow {
  /** Whitespace collapsed; long base64/hex blobs shortened as `<base64:N chars>`. */
  command: string;
  count: number;
  sessions: number;
}

export interface ClientRow {
  version: string | null;
  hassh: string | null;
  sessions: number;
}

export interface TunnelStats {
  /** `cowrie.direct-tcpip.request` events (proxy abuse through the honeypot). */
  requests: number;
  sessions: number;
  topDestinations: Array<{ dst: string; count: number }>;
}

export interface CountRow {
  value: string;
  count: number;
}

export interface LoginStats {
  attempts: number;
  successes: number;
  failures: number;
  topUsernames: CountRow[];
  topPasswords: CountRow[];
  topPairs: CountRow[];
  /** username/password pairs that got in. */
  successfulPairs: CountRow[];
}

export interface SessionIndicatorVerdict {
  kind: IndicatorKind;
  value: string;
  id: string;
  verdict: Verdict;
  providers: ProviderVerdicts;
}

/** One NDJSON record: a session with the verdicts of its indicators. */
export interface SessionRecord {
  session: string;
  srcIp: string | null;
  srcPort: number | null;
  dstPort: number | null;
  protocol: string | null;
  sensor: string | null;
  startAt: number | null;
  endAt: number | null;
  durationMs: number | null;
  clientVersion: string | null;
  hassh: string | null;
  loginAttempts: number;
  loginSuccess: boolean;
  usernames: string[];
  /** Passwords tried, in order of first use (public-key attempts carry none). */
  passwords: string[];
  commands: string[];
  downloads: number;
  uploads: number;
  events: number;
  closed: boolean;
  /** Closed by the reader for idleness (no close event in the log). */
  idleClosed: boolean;
  /** direct-tcpip requests (`host:port`). */
  tunnels: string[];
  /** Worst verdict over the session's indicators. */
  verdict: Verdict;
  indicators: SessionIndicatorVerdict[];
}

export interface CowrieReport {
  /** Epoch ms. */
  generatedAt: number;
  period: { from: number | null; to: number | null };
  totals: {
    sessions: number;
    closedSessions: number;
    events: number;
    uniqueIps: number;
    uniqueHashes: number;
    maliciousHashes: number;
    uniqueUrls: number;
    uniqueHosts: number;
    commands: number;
    downloads: number;
    uploads: number;
    loginAttempts: number;
    loginSuccesses: number;
    /** Sessions without a close event that the reader closed after Cowrie's timeouts (or at its cap). */
    idleClosedSessions: number;
  };
  /** False for a dry run: verdicts are 'not looked up', never counted as clean. */
  lookedUp: boolean;
  hashes: HashRow[];
  urls: UrlRow[];
  topIps: IpRow[];
  logins: LoginStats;
  commands: { total: number; top: CommandRow[] };
  clients: ClientRow[];
  tunnels: TunnelStats;
  input: {
    files: number;
    lines: number;
    badLines: number;
    truncatedLines: number;
    fileErrors: number;
    unknownEvents: Record<string, number>;
    badLineSamples: BadLineSample[];
  } | null;
  skipped: ExtractStats | null;
  /** Every indicator with its verdicts (the CSV rows). */
  indicators: IndicatorRow[];
  sessions: SessionRecord[];
}

/** One CSV row: an indicator with its verdicts and what the report adds to its kind. */
export type IndicatorRow = CowrieIndicator & {
  verdict: Verdict;
  threatLabel: string | null;
  providers: ProviderVerdicts;
  permalink: string | null;
  sourceIps: string[];
  firstSubmissionAt: number | null;
  asn: number | null;
  asOrg: string | null;
  country: string | null;
  tunnel: string | null;
  newSinceLastRun: boolean | null;
};

export interface BuildReportInput {
  /** The sessions, or an accumulator they were already folded into (the batch run keeps no sessions). */
  sessions: readonly CowrieSession[];
  accumulator?: ReportAccumulator;
  indicators: readonly CowrieIndicator[];
  results: ProviderResults;
  readStats?: CowrieReadStats;
  extractStats?: ExtractStats;
  extractOptions?: ExtractOptions;
  /** Rows in the top lists (default 10). */
  top?: number;
  generatedAt?: number;
  /** False for a dry run (default true). */
  lookedUp?: boolean;
  /** Was this indicator (`kind:id`) seen by an earlier run? Absent: no state file, newSinceLastRun is null. */
  seenBefore?: (key: string) => boolean;
}

