/**
 * ISC/DShield `api/ip/<ip>?json` answers, read leniently: quiet or unknown addresses answer with nulls,
 * counts may be numbers or strings, `threatfeeds` may be absent, `{}` or null.
 */
import { asObject, lenientDate, lenientNumber, lenientString } from '../http-errors.js';

export interface DshieldThreatFeed {
  firstSeenAt: number | null;
  lastSeenAt: number | null;
}

export interface DshieldIpInfo {
  ip: string | null;
  /** Reports (packets/log lines) received from the address. */
  count: number | null;
  /** Distinct targets the address attacked. */
  attacks: number | null;
  minDateAt: number | null;
  maxDateAt: number | null;
  updatedAt: number | null;
  comment: string | null;
  maxRisk: number | null;
  asn: number | null;
  asName: string | null;
  asCountry: string | null;
  asSize: number | null;
  asAbuseContact: string | null;
  network: string | null;
  cloud: string | null;
  threatFeeds: Record<string, DshieldThreatFeed>;
  /** ISC's own error text (e.g. for a malformed address), when it sent one. */
  error: string | null;
}

function threatFeeds(value: unknown): Record<string, DshieldThreatFeed> {
  const out: Record<string, DshieldThreatFeed> = {};
  if (Array.isArray(value)) {
    for (const name of value) if (typeof name === 'string' && name) out[name] = { firstSeenAt: null, lastSeenAt: null };
    return out;
  }
  for (const [name, feed] of Object.entries(asObject(value) ?? {})) {
    const f = asObject(feed);
    out[name] = { firstSeenAt: lenientDate(f?.firstseen), lastSeenAt: lenientDate(f?.lastseen) };
  }
  return out;
}

export function parseDshieldIp(body: unknown): DshieldIpInfo {
  const top = asObject(body) ?? {};
  const o = asObject(top.ip) ?? (typeof top.number === 'string' ? top : {});
  return {
    ip: lenientString(o.number) ?? (typeof top.ip === 'string' ? top.ip : null),
    count: lenientNumber(o.count),
    attacks: lenientNumber(o.attacks),
    minDateAt: lenientDate(o.mindate),
    maxDateAt: lenientDate(o.maxdate),
    updatedAt: lenientDate(o.updated),
    comment: lenientString(o.comment),
    maxRisk: lenientNumber(o.maxrisk),
    asn: lenientNumber(o.as),
    asName: lenientString(o.asname),
    asCountry: lenientString(o.ascountry),
    asSize: lenientNumber(o.assize),
    asAbuseContact: lenientString(o.asabusecontact),
    network: lenientString(o.network),
    cloud: lenientString(o.cloud),
    threatFeeds: threatFeeds(o.threatfeeds),
    error: lenientString(o.error) ?? lenientString(top.error),
  };
}

/** Activity worth flagging: reports, attacks or a threat-feed listing. */
export function dshieldIsActive(info: DshieldIpInfo): boolean {
  return (info.count ?? 0) > 0 || (info.attacks ?? 0) > 0 || Object.keys(info.threatFeeds).length > 0;
}
