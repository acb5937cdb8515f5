/** What the report reads from each provider's answer: verdicts, labels, network owner, tunnels, links. */
import { dshieldDetails } from '../providers/dshield/index.js';
import { spurDetails, spurIsAnonymising } from '../providers/spur/index.js';
import { PROVIDERS, type ProviderName, type Report, type Verdict, worstVerdict } from '../providers/types.js';
export { worstVerdict };
import type { DshieldContext, ProviderVerdict, ProviderVerdicts, SpurSummary } from './report-types.js';

type Reports = Partial<Record<ProviderName, Report>> | undefined;

const PROVIDER_ORDER: readonly ProviderName[] = PROVIDERS;

export function providerVerdicts(reports: Reports): ProviderVerdicts {
  const out: ProviderVerdicts = {};
  for (const name of PROVIDER_ORDER) {
    const r = reports?.[name];
    if (!r) continue;
    const v: ProviderVerdict = { verdict: r.verdict };
    if (r.detections !== undefined) v.detections = r.detections;
    const engines = r.stats?.engines ?? r.engines;
    if (engines !== undefined) v.engines = engines;
    if (r.threatLabel !== undefined) v.threatLabel = r.threatLabel;
    out[name] = v;
  }
  return out;
}

export function labelOf(reports: Reports): string | null {
  for (const name of PROVIDER_ORDER) {
    const label = reports?.[name]?.threatLabel;
    if (label) return label;
  }
  return null;
}

export function verdictOf(reports: Reports): Verdict {
  return worstVerdict(PROVIDER_ORDER.map((n) => reports?.[n]?.verdict).filter((v): v is Verdict => v !== undefined));
}

export function dshieldContext(report: Report | undefined): DshieldContext | null {
  if (!report) return null;
  const info = dshieldDetails(report);
  return {
    count: info.count,
    attacks: info.attacks,
    threatFeeds: info.threatFeeds,
    asName: info.asName,
    asCountry: info.asCountry,
    network: info.network,
  };
}

export function spurSummary(report: Report | undefined): SpurSummary | null {
  if (!report) return null;
  const ctx = spurDetails(report);
  const tunnelOperators = ctx.tunnels.map((t) => t.operator).filter((x): x is string => x !== null);
  return {
    organization: ctx.organization ?? ctx.asOrganization,
    infrastructure: ctx.infrastructure,
    country: ctx.country,
    risks: ctx.risks,
    tunnelOperators,
    proxies: ctx.proxies,
    anonymising: spurIsAnonymising(ctx),
  };
}

/** URLhaus status in words: online, offline, unknown (listed, no status), not listed; null when not asked. */
export function urlhausStatus(report: Report | undefined): string | null {
  if (!report) return null;
  if (!report.found) return report.verdict === 'not_found' ? 'not listed' : 'unknown';
  const status = report.details?.provider === 'urlhaus' ? report.details.status : (report.data as { url_status?: unknown } | null)?.url_status;
  return status === 'online' || status === 'offline' ? status : 'unknown';
}

export interface NetworkInfo {
  asn: number | null;
  asOrg: string | null;
  country: string | null;
  tunnel: string | null;
}

function vtIpAttributes(report: Report | undefined): { asn: number | null; asOrg: string | null; country: string | null } {
  const a = (report?.data as { attributes?: Record<string, unknown> } | null | undefined)?.attributes;
  return {
    asn: typeof a?.asn === 'number' ? a.asn : null,
    asOrg: typeof a?.as_owner === 'string' && a.as_owner ? a.as_owner : null,
    country: typeof a?.country === 'string' && a.country ? a.country : null,
  };
}

/**
 * Who owns an address: DShield first, then SPUR, then VirusTotal's IP object, field by field.
 * The tunnel (VPN, proxy or Tor operator) comes from SPUR only and is never the organisation.
 */
export function networkInfo(reports: Reports): NetworkInfo {
  const d = reports?.dshield ? dshieldDetails(reports.dshield) : undefined;
  const s = reports?.spur ? spurDetails(reports.spur) : undefined;
  const v = vtIpAttributes(reports?.virustotal);
  const tunnel = s?.tunnels.find((t) => t.operator)?.operator ?? s?.tunnels.find((t) => t.type)?.type ?? s?.proxies[0] ?? null;
  return {
    asn: d?.asn ?? s?.asn ?? v.asn,
    asOrg: d?.asName ?? s?.asOrganization ?? v.asOrg,
    country: d?.asCountry ?? s?.country ?? v.country,
    tunnel,
  };
}

/** `kind:id`, the key of the state file's memory of indicators. */
export function seenKey(kind: string, id: string): string {
  return `${kind}:${id}`;
}
