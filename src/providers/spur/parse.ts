/**
 * SPUR Context API v2 objects. Fields are picked by name (cowrieprocessor read them by list index and
 * two lists disagreed, so its SPUR flag could never be set). Any field may be absent or null.
 */
import { asObject, lenientBoolean, lenientNumber, lenientString, lenientStrings } from '../http-errors.js';

export interface SpurTunnel {
  type: string | null;
  operator: string | null;
  anonymous: boolean | null;
  entries: string[];
}

export interface SpurConcentration {
  country: string | null;
  state: string | null;
  city: string | null;
  geohash: string | null;
  density: number | null;
  skew: number | null;
}

export interface SpurContext {
  ip: string | null;
  asn: number | null;
  asOrganization: string | null;
  organization: string | null;
  /** e.g. DATACENTER, MOBILE */
  infrastructure: string | null;
  country: string | null;
  state: string | null;
  city: string | null;
  /** e.g. TUNNEL, CALLBACK_PROXY, GEO_MISMATCH */
  risks: string[];
  services: string[];
  tunnels: SpurTunnel[];
  /** Proxy services seen on this address (residential proxy exits). */
  proxies: string[];
  behaviors: string[];
  clientTypes: string[];
  clientCount: number | null;
  clientCountries: number | null;
  concentration: SpurConcentration | null;
}

export function parseSpurContext(body: unknown): SpurContext {
  const o = asObject(body) ?? {};
  const as = asObject(o.as);
  const location = asObject(o.location);
  const client = asObject(o.client);
  const conc = asObject(client?.concentration);
  const tunnels = Array.isArray(o.tunnels) ? o.tunnels.map(asObject).filter((t) => t !== undefined) : [];
  return {
    ip: lenientString(o.ip),
    asn: lenientNumber(as?.number),
    asOrganization: lenientString(as?.organization),
    organization: lenientString(o.organization),
    infrastructure: lenientString(o.infrastructure),
    country: lenientString(location?.country),
    state: lenientString(location?.state),
    city: lenientString(location?.city),
    risks: lenientStrings(o.risks),
    services: lenientStrings(o.services),
    tunnels: tunnels.map((t) => ({
      type: lenientString(t.type),
      operator: lenientString(t.operator),
      anonymous: lenientBoolean(t.anonymous),
      entries: lenientStrings(t.entries),
    })),
    proxies: lenientStrings(client?.proxies),
    behaviors: lenientStrings(client?.behaviors),
    clientTypes: lenientStrings(client?.types),
    clientCount: lenientNumber(client?.count),
    clientCountries: lenientNumber(client?.countries),
    concentration: conc
      ? {
          country: lenientString(conc.country),
          state: lenientString(conc.state),
          city: lenientString(conc.city),
          geohash: lenientString(conc.geohash),
          density: lenientNumber(conc.density),
          skew: lenientNumber(conc.skew),
        }
      : null,
  };
}

/** Risks, tunnels (VPN, Tor...) or proxy services on the address. */
export function spurIsAnonymising(ctx: { risks: readonly unknown[]; tunnels: readonly unknown[]; proxies: readonly unknown[] }): boolean {
  return ctx.risks.length > 0 || ctx.tunnels.length > 0 || ctx.proxies.length > 0;
}

/** A short label: the tunnel operators (e.g. PROTON_VPN), else the first proxy service, else the risks. */
export function spurLabel(ctx: SpurContext): string | null {
  const operators = [...new Set(ctx.tunnels.map((t) => t.operator).filter((x): x is string => x !== null))];
  if (operators.length > 0) return operators.join(',');
  if (ctx.proxies.length > 0) return ctx.proxies[0] ?? null;
  if (ctx.risks.length > 0) return ctx.risks.join(',');
  return null;
}
