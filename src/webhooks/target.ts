/**
 * SSRF guard for webhook targets: http(s) only, no credentials in the URL, and every address the
 * host resolves to must be public, unless the host or the address is allowlisted. The checked
 * address is returned so the delivery connects to exactly that address (no DNS rebinding).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress } from '../indicators/index.js';

export type ResolveFn = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolve: ResolveFn = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A webhook URL that may not be called. */
export class WebhookTargetError extends Error {
  override name = 'WebhookTargetError';
  readonly code = 'WebhookTargetRefused';
}

export interface CheckedTarget {
  url: URL;
  /** Host name without IPv6 brackets. */
  hostname: string;
  /** The address deliveries connect to. */
  address: string;
  family: 4 | 6;
}

export interface TargetPolicy {
  /** Host names or IP addresses that may be private (e.g. `127.0.0.1` in tests, an internal SOAR host). */
  allowlist: readonly string[];
  resolve?: ResolveFn;
}

const MAX_URL_LENGTH = 2048;

function normaliseHost(host: string): string {
  const h = host.trim().toLowerCase();
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h.replace(/\.$/, '');
}

/** Parses and checks a webhook URL; resolves DNS. Throws WebhookTargetError when refused. */
export async function checkWebhookTarget(raw: string, policy: TargetPolicy): Promise<CheckedTarget> {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) {
    throw new WebhookTargetError(`webhook URL must be 1-${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError('webhook URL is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookTargetError('webhook URL must use http or https');
  if (url.username || url.password) throw new WebhookTargetError('webhook URL must not carry credentials; use the signing secret');
  const hostname = normaliseHost(url.hostname);
  if (!hostname) throw new WebhookTargetError('webhook URL has no host');
  const allowed = new Set(policy.allowlist.map(normaliseHost));
  const hostAllowed = allowed.has(hostname);

  let addresses: Array<{ address: string; family: number }>;
  if (isIP(hostname)) addresses = [{ address: hostname, family: isIP(hostname) }];
  else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(hostname);
    } catch {
      throw new WebhookTargetError(`webhook host ${hostname} does not resolve`);
    }
  }
  if (addresses.length === 0) throw new WebhookTargetError(`webhook host ${hostname} does not resolve`);
  for (const { address } of addresses) {
    const addr = normaliseHost(address);
    // 0.0.0.0 and :: are never a destination, allowlisted or not
    if (addr === '0.0.0.0' || addr === '::') throw new WebhookTargetError(`webhook host ${hostname} resolves to an unspecified address`);
    if (isPrivateAddress(addr) && !hostAllowed && !allowed.has(addr)) {
      throw new WebhookTargetError(
        `webhook host ${hostname} resolves to a private, loopback, link-local or reserved address (${addr}); add it to server.webhookAllowlist to allow it`,
      );
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return { url, hostname, address: normaliseHost(first.address), family: first.family === 6 ? 6 : 4 };
}
