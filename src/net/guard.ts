/**
 * The outbound-address guard shared by webhooks and scan-from-URL: http(s) only, no credentials in
 * the URL, and every address the host resolves to must be public unless the host or the address is
 * allowlisted. WHATWG URL parsing already turns decimal, octal and hex IPv4 spellings into dotted
 * quads; `isPrivateAddress` covers loopback, RFC 1918, link-local (cloud metadata), CGNAT,
 * multicast, reserved ranges and IPv4-mapped/NAT64/6to4 forms of them. The checked address is
 * returned so the caller connects to exactly that address (no DNS rebinding between check and use).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress } from '../indicators/index.js';

export type ResolveFn = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolve: ResolveFn = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface CheckedTarget {
  url: URL;
  /** Host name without IPv6 brackets. */
  hostname: string;
  /** The address to connect to. */
  address: string;
  family: 4 | 6;
}

export interface TargetPolicy {
  /** Host names or IP addresses that may be private (e.g. `127.0.0.1` in tests, an internal host). */
  allowlist: readonly string[];
  resolve?: ResolveFn;
}

export interface GuardWording {
  /** What the URL is for, as in "webhook URL" or "fetch URL". */
  what: string;
  /** Where an operator allows a private host, for the refusal message. */
  allowlistName: string;
  /** Builds the error the caller throws. */
  error: (message: string) => Error;
}

export const MAX_URL_LENGTH = 2048;

export function normaliseHost(host: string): string {
  const h = host.trim().toLowerCase();
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h.replace(/\.$/, '');
}

/** Parses and checks a URL, resolving its host; throws `wording.error(...)` when refused. */
export async function checkTarget(raw: string, policy: TargetPolicy, wording: GuardWording): Promise<CheckedTarget> {
  const fail = (m: string) => wording.error(m);
  const what = wording.what;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) throw fail(`${what} must be 1-${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail(`${what} is not a valid absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`${what} must use http or https (got ${url.protocol.replace(/:$/, '')})`);
  if (url.username || url.password) throw fail(`${what} must not carry credentials`);
  const hostname = normaliseHost(url.hostname);
  if (!hostname) throw fail(`${what} has no host`);
  const allowed = new Set(policy.allowlist.map(normaliseHost));
  const hostAllowed = allowed.has(hostname);

  let addresses: Array<{ address: string; family: number }>;
  if (isIP(hostname)) addresses = [{ address: hostname, family: isIP(hostname) }];
  else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(hostname);
    } catch {
      throw fail(`${what} host ${hostname} does not resolve`);
    }
  }
  if (addresses.length === 0) throw fail(`${what} host ${hostname} does not resolve`);
  for (const { address } of addresses) {
    const addr = normaliseHost(address);
    // 0.0.0.0 and :: are never a destination, allowlisted or not
    if (addr === '0.0.0.0' || addr === '::') throw fail(`${what} host ${hostname} resolves to an unspecified address`);
    if (isPrivateAddress(addr) && !hostAllowed && !allowed.has(addr)) {
      throw fail(
        `${what} host ${hostname} resolves to a private, loopback, link-local or reserved address (${addr}); add it to ${wording.allowlistName} to allow it`,
      );
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return { url, hostname, address: normaliseHost(first.address), family: first.family === 6 ? 6 : 4 };
}
