/**
 * The enrichment report of a Cowrie run: what the CLI prints. Built from the sessions, their
 * deduplicated indicators and each indicator's provider Reports. Formats live in `format.ts`.
 */
import type { IndicatorKind } from '../indicators/index.js';
import { parseDshieldIp } from '../providers/dshield/index.js';
import { parseSpurContext, spurIsAnonymising } from '../providers/spur/index.js';
import type { ProviderName, Report, Verdict } from '../providers/types.js';
import type { CowrieIndicator, ExtractOptions, ExtractStats } from './extract.js';
import { sessionIndicators } from './extract.js';
import type { BadLineSample, CowrieReadStats } from './reader.js';
import type { CowrieSession } from './sessions.js';

/** Indicator id -> the Reports each provider gave for it. */
export type ProviderResults = Map<string, Partial<Record<ProviderName, Report>>>;

export interface ProviderVerdict {
  verdict: Verdict;
  detections?: number;
  threatLabel?: string | null;
}

export type ProviderVerdicts = Partial<Record<ProviderName, ProviderVerdict>>;

export interface HashRow {
  sha256: string;
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
  providers: ProviderVerdicts;
}

export interface UrlRow {
  url: string;
  id: string;
  host: string | null;
  sessions: number;
  events: number;
  roles: string[];
  /** URLhaus `url_status` (online/offline), 'not listed', or null when URLhaus was not asked. */
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
  commands: string[];
  downloads: number;
  uploads: number;
  events: number;
  closed: boolean;
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
  };
  hashes: HashRow[];
  urls: UrlRow[];
  topIps: IpRow[];
  logins: LoginStats;
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
  indicators: Array<CowrieIndicator & { verdict: Verdict; threatLabel: string | null; providers: ProviderVerdicts }>;
  sessions: SessionRecord[];
}

export interface BuildReportInput {
  sessions: readonly CowrieSession[];
  indicators: readonly CowrieIndicator[];
  results: ProviderResults;
  readStats?: CowrieReadStats;
  extractStats?: ExtractStats;
  extractOptions?: ExtractOptions;
  /** Rows in the top lists (default 10). */
  top?: number;
  generatedAt?: number;
}

const SEVERITY: Record<Verdict, number> = {
  malicious: 5,
  suspicious: 4,
  harmless: 3,
  undetected: 2,
  not_found: 1,
  unknown: 0,
};

/** The most severe verdict; 'unknown' for none. */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'unknown';
  for (const v of verdicts) if (SEVERITY[v] > SEVERITY[worst]) worst = v;
  return worst;
}

const PROVIDER_ORDER: ProviderName[] = ['virustotal', 'urlhaus', 'dshield', 'spur'];

function providerVerdicts(reports: Partial<Record<ProviderName, Report>> | undefined): ProviderVerdicts {
  const out: ProviderVerdicts = {};
  for (const name of PROVIDER_ORDER) {
    const r = reports?.[name];
    if (!r) continue;
    const v: ProviderVerdict = { verdict: r.verdict };
    if (r.detections !== undefined) v.detections = r.detections;
    if (r.threatLabel !== undefined) v.threatLabel = r.threatLabel;
    out[name] = v;
  }
  return out;
}

function labelOf(reports: Partial<Record<ProviderName, Report>> | undefined): string | null {
  for (const name of PROVIDER_ORDER) {
    const label = reports?.[name]?.threatLabel;
    if (label) return label;
  }
  return null;
}

function verdictOf(reports: Partial<Record<ProviderName, Report>> | undefined): Verdict {
  return worstVerdict(PROVIDER_ORDER.map((n) => reports?.[n]?.verdict).filter((v): v is Verdict => v !== undefined));
}

function dshieldContext(report: Report | undefined): DshieldContext | null {
  if (!report) return null;
  const info = parseDshieldIp(report.data);
  return {
    count: info.count,
    attacks: info.attacks,
    threatFeeds: Object.keys(info.threatFeeds),
    asName: info.asName,
    asCountry: info.asCountry,
    network: info.network,
  };
}

function spurSummary(report: Report | undefined): SpurSummary | null {
  if (!report) return null;
  const ctx = parseSpurContext(report.data);
  return {
    organization: ctx.organization ?? ctx.asOrganization,
    infrastructure: ctx.infrastructure,
    country: ctx.country,
    risks: ctx.risks,
    tunnelOperators: ctx.tunnels.map((t) => t.operator).filter((x): x is string => x !== null),
    proxies: ctx.proxies,
    anonymising: spurIsAnonymising(ctx),
  };
}

function topCounts(counts: Map<string, number>, n: number): CountRow[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([value, count]) => ({ value, count }));
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function urlhausStatus(report: Report | undefined): string | null {
  if (!report) return null;
  if (!report.found) return report.verdict === 'not_found' ? 'not listed' : 'unknown';
  const status = (report.data as { url_status?: unknown } | null)?.url_status;
  return typeof status === 'string' && status ? status : 'listed';
}

export function buildCowrieReport(input: BuildReportInput): CowrieReport {
  const top = input.top ?? 10;
  const { results } = input;
  const sessions = input.sessions;
  const main = sessions.filter((s) => !s.fragment);

  let from: number | null = null;
  let to: number | null = null;
  let events = 0;
  let commands = 0;
  let downloads = 0;
  let uploads = 0;
  const ips = new Set<string>();
  const perIp = new Map<string, { loginSuccesses: number; commands: number; downloads: number }>();
  const usernames = new Map<string, number>();
  const passwords = new Map<string, number>();
  const pairs = new Map<string, number>();
  const successPairs = new Map<string, number>();
  let attempts = 0;
  let successes = 0;

  for (const s of sessions) {
    events += s.events;
    commands += s.commands.length;
    downloads += s.downloads.filter((d) => !d.failed).length;
    uploads += s.uploads.length;
    if (s.startAt !== null && (from === null || s.startAt < from)) from = s.startAt;
    if (s.endAt !== null && (to === null || s.endAt > to)) to = s.endAt;
    if (s.srcIp) {
      ips.add(s.srcIp);
      const row = perIp.get(s.srcIp) ?? { loginSuccesses: 0, commands: 0, downloads: 0 };
      row.loginSuccesses += s.logins.filter((l) => l.success).length;
      row.commands += s.commands.length;
      row.downloads += s.downloads.filter((d) => !d.failed).length + s.uploads.length;
      perIp.set(s.srcIp, row);
    }
    for (const l of s.logins) {
      attempts++;
      if (l.success) successes++;
      const user = l.username ?? '';
      bump(usernames, user);
      if (l.password !== null) {
        bump(passwords, l.password);
        bump(pairs, `${user}/${l.password}`);
        if (l.success) bump(successPairs, `${user}/${l.password}`);
      }
    }
  }

  const withVerdicts = input.indicators.map((x) => {
    const reports = results.get(x.id);
    return { ...x, verdict: verdictOf(reports), threatLabel: labelOf(reports), providers: providerVerdicts(reports) };
  });

  const hashes: HashRow[] = withVerdicts
    .filter((x) => x.kind === 'file')
    .map((x) => {
      const vt = results.get(x.id)?.virustotal;
      return {
        sha256: x.value,
        names: x.names,
        sessions: x.sessions,
        events: x.events,
        roles: x.roles,
        verdict: x.verdict,
        malicious: x.verdict === 'malicious',
        threatLabel: x.threatLabel,
        detections: vt?.detections ?? null,
        providers: x.providers,
      };
    })
    .sort((a, b) => Number(b.malicious) - Number(a.malicious) || b.sessions - a.sessions || a.sha256.localeCompare(b.sha256));

  const urls: UrlRow[] = withVerdicts
    .filter((x) => x.kind === 'url')
    .map((x) => {
      let host: string | null = null;
      try {
        host = new URL(x.value).hostname.replace(/^\[|\]$/g, '') || null;
      } catch {
        // kept null
      }
      return {
        url: x.value,
        id: x.id,
        host,
        sessions: x.sessions,
        events: x.events,
        roles: x.roles,
        urlhausStatus: urlhausStatus(results.get(x.id)?.urlhaus),
        verdict: x.verdict,
        threatLabel: x.threatLabel,
        providers: x.providers,
      };
    })
    .sort((a, b) => b.sessions - a.sessions || a.url.localeCompare(b.url));

  const attackerRows = withVerdicts.filter((x) => x.kind === 'ip' && x.roles.includes('attacker'));
  const topIps: IpRow[] = attackerRows
    .sort((a, b) => b.sessions - a.sessions || b.events - a.events || a.value.localeCompare(b.value))
    .slice(0, top)
    .map((x) => {
      const reports = results.get(x.id);
      const own = perIp.get(x.value) ?? { loginSuccesses: 0, commands: 0, downloads: 0 };
      return {
        ip: x.value,
        sessions: x.sessions,
        events: x.events,
        ...own,
        verdict: x.verdict,
        dshield: dshieldContext(reports?.dshield),
        spur: spurSummary(reports?.spur),
        providers: x.providers,
      };
    });

  const byId = new Map(withVerdicts.map((x) => [`${x.kind}:${x.id}`, x]));
  const sessionRecords = sessions.map((s) => sessionRecord(s, byId, input.extractOptions));

  const rs = input.readStats;
  return {
    generatedAt: input.generatedAt ?? Date.now(),
    period: { from, to },
    totals: {
      sessions: main.length,
      closedSessions: main.filter((s) => s.closed).length,
      events,
      uniqueIps: ips.size,
      uniqueHashes: hashes.length,
      maliciousHashes: hashes.filter((h) => h.malicious).length,
      uniqueUrls: urls.length,
      uniqueHosts: withVerdicts.filter((x) => x.roles.includes('url_host')).length,
      commands,
      downloads,
      uploads,
      loginAttempts: attempts,
      loginSuccesses: successes,
    },
    hashes,
    urls,
    topIps,
    logins: {
      attempts,
      successes,
      failures: attempts - successes,
      topUsernames: topCounts(usernames, top),
      topPasswords: topCounts(passwords, top),
      topPairs: topCounts(pairs, top),
      successfulPairs: topCounts(successPairs, top),
    },
    input: rs
      ? {
          files: rs.files.length,
          lines: rs.lines,
          badLines: rs.badLines,
          truncatedLines: rs.truncatedLines,
          fileErrors: rs.fileErrors,
          unknownEvents: rs.unknownEvents,
          badLineSamples: rs.badLineSamples,
        }
      : null,
    skipped: input.extractStats ?? null,
    indicators: withVerdicts,
    sessions: sessionRecords,
  };
}

/** One session with the verdicts of its indicators (for NDJSON output). */
export function sessionRecord(
  s: CowrieSession,
  byKey: Map<string, { verdict: Verdict; providers: ProviderVerdicts }>,
  options?: ExtractOptions,
): SessionRecord {
  const found = sessionIndicators(s, options);
  const list = [
    ...[...found.hashes.values()].map((x) => x.indicator),
    ...[...found.urls.values()].map((x) => x.indicator),
    ...[...found.hosts.values()].map((x) => x.indicator),
    ...(found.attacker ? [found.attacker] : []),
  ];
  const seen = new Set<string>();
  const indicators: SessionIndicatorVerdict[] = [];
  for (const ind of list) {
    const key = `${ind.kind}:${ind.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const known = byKey.get(key);
    indicators.push({
      kind: ind.kind,
      value: ind.value,
      id: ind.id,
      verdict: known?.verdict ?? 'unknown',
      providers: known?.providers ?? {},
    });
  }
  return {
    session: s.session,
    srcIp: s.srcIp,
    srcPort: s.srcPort,
    dstPort: s.dstPort,
    protocol: s.protocol,
    sensor: s.sensor,
    startAt: s.startAt,
    endAt: s.endAt,
    durationMs: s.durationMs,
    clientVersion: s.clientVersion,
    hassh: s.hassh ?? null,
    loginAttempts: s.logins.length,
    loginSuccess: s.logins.some((l) => l.success),
    usernames: [...new Set(s.logins.map((l) => l.username).filter((u): u is string => u !== null))],
    commands: s.commands,
    downloads: s.downloads.length,
    uploads: s.uploads.length,
    events: s.events,
    closed: s.closed,
    verdict: worstVerdict(indicators.map((i) => i.verdict)),
    indicators,
  };
}
