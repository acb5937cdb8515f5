/**
 * Web pages the operator visits must not drive the service. Checked on node:http before any routing,
 * for every request (the fast path included):
 *
 * - `Host` must name this server: an IP literal (DNS rebinding needs a name), `localhost`, the bound
 *   host name, or a configured name (`VTG_ALLOWED_HOSTS` / `server.allowedHosts`; `.example.com`
 *   admits its subdomains, `*` turns the check off). Anything else: 421 `UnknownHost`.
 * - A state-changing request (anything but GET/HEAD/OPTIONS) that carries an `Origin` must come from
 *   this very origin (scheme-less compare of host and port against `Host`); `Origin: null` is refused.
 * - A browser's `Sec-Fetch-Site` other than `same-origin`/`none` is refused, except a top-level GET
 *   navigation (a link to the status page), so an `<img>` on another site cannot spend quota.
 *
 * Clients that are not browsers (curl, vt-py, the CLI) send neither Origin nor Sec-Fetch-*.
 */
import { isIP } from 'node:net';
import { hostname as osHostname } from 'node:os';

export interface HostPolicy {
  /** Exact names (lower case). */
  names: Set<string>;
  /** Suffixes from leading-dot entries (`.proxy.example`). */
  suffixes: string[];
  /** `*` was configured: no Host check. */
  any: boolean;
}

export function hostPolicy(boundHost: string, configured: readonly string[]): HostPolicy {
  const names = new Set<string>(['localhost']);
  const suffixes: string[] = ['.localhost'];
  let any = false;
  const bound = boundHost.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (bound && isIP(bound) === 0) names.add(bound);
  if (bound === '0.0.0.0' || bound === '::') names.add(osHostname().toLowerCase());
  for (const raw of configured) {
    const entry = raw.trim().toLowerCase();
    if (entry === '*') any = true;
    else if (entry.startsWith('.')) suffixes.push(entry);
    else if (entry) names.add(entry);
  }
  return { names, suffixes, any };
}

/** The host name of a Host header value (`name`, `name:port`, `[v6]:port`), lower case. */
export function hostNameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(1, end);
  }
  const colon = h.indexOf(':');
  // more than one colon without brackets: a bare IPv6 literal
  if (colon >= 0 && h.indexOf(':', colon + 1) >= 0) return h;
  return colon < 0 ? h : h.slice(0, colon);
}

/** Host header values already judged (clients send the same few); bounded so junk cannot grow it. */
const judged = new WeakMap<HostPolicy, Map<string, boolean>>();
const JUDGED_MAX = 256;

export function hostAllowed(policy: HostPolicy, host: string | undefined): boolean {
  if (policy.any || host === undefined) return true; // HTTP/1.0 without Host: no name to rebind
  let known = judged.get(policy);
  if (!known) {
    known = new Map();
    judged.set(policy, known);
  }
  const hit = known.get(host);
  if (hit !== undefined) return hit;
  const allowed = judgeHost(policy, host);
  if (known.size < JUDGED_MAX) known.set(host, allowed);
  return allowed;
}

function judgeHost(policy: HostPolicy, host: string): boolean {
  const name = hostNameOf(host).replace(/\.$/, '');
  if (isIP(name) !== 0) return true;
  if (policy.names.has(name)) return true;
  return policy.suffixes.some((s) => name.endsWith(s) && name.length > s.length);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type Refusal = { status: number; code: string; message: string };

/** Why a request is refused, or null. */
/** Request headers as node gives them (lower-case names; a repeated header may be an array). */
export type Headers = Record<string, string | string[] | undefined>;

function first(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function checkHostOrigin(policy: HostPolicy, method: string, headers: Headers): Refusal | null {
  const host = first(headers, 'host');
  if (!hostAllowed(policy, host)) {
    return { status: 421, code: 'UnknownHost', message: 'the Host header does not name this server; add the name to VTG_ALLOWED_HOSTS if it is yours' };
  }
  const site = first(headers, 'sec-fetch-site');
  const safe = SAFE_METHODS.has(method);
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    const navigation = safe && first(headers, 'sec-fetch-mode') === 'navigate';
    if (!navigation) return crossOrigin();
  }
  if (safe) return null;
  const origin = first(headers, 'origin');
  if (origin === undefined) return null;
  if (origin === 'null' || host === undefined) return crossOrigin();
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return crossOrigin();
  }
  return originHost === host.trim().toLowerCase() ? null : crossOrigin();
}

function crossOrigin(): Refusal {
  return { status: 403, code: 'CrossOriginRefused', message: 'requests from other web origins are refused' };
}
