import { isLocalhostName, normaliseDomain, normaliseHostName } from './domain.js';
import { formatIPv6, isPrivateAddress, parseIPv4, parseIPv6 } from './ip.js';

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', ftp: '21' };
const SCHEME_PREFIX = /^([a-z][a-z0-9+.-]*):\/\//i;

export type UrlResult =
  | { ok: true; value: string; host: string; privateHost: boolean }
  | { ok: false; reason: 'not_url' | 'unsupported_scheme' };

/** True when the text starts with `scheme://`. */
export function hasScheme(text: string): boolean {
  return SCHEME_PREFIX.test(text);
}

/**
 * Normalises a URL: lower-case scheme and host, IDN host to punycode, `/` when the path is empty,
 * default ports dropped; userinfo, path, query and fragment are kept as given. Without a scheme
 * (`host/path`, `host:port/path`) `http://` is assumed and the host must be a full domain or an IP.
 */
export function normaliseUrl(input: string): UrlResult {
  if (/[\s\x00-\x1f\x7f]/.test(input)) return { ok: false, reason: 'not_url' };
  let scheme = 'http';
  let rest = input;
  const bare = !hasScheme(input);
  if (!bare) {
    const m = SCHEME_PREFIX.exec(input) as RegExpExecArray;
    scheme = (m[1] as string).toLowerCase();
    if (!(scheme in DEFAULT_PORTS)) return { ok: false, reason: 'unsupported_scheme' };
    rest = input.slice(m[0].length);
  }
  const cut = rest.search(/[/?#]/);
  const authority = cut === -1 ? rest : rest.slice(0, cut);
  let tail = cut === -1 ? '' : rest.slice(cut);
  if (!tail.startsWith('/')) tail = `/${tail}`;

  const at = authority.lastIndexOf('@');
  if (bare && at !== -1) return { ok: false, reason: 'not_url' };
  const userinfo = at === -1 ? '' : authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);

  let rawHost: string;
  let port = '';
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1) return { ok: false, reason: 'not_url' };
    rawHost = hostPort.slice(0, close + 1);
    const after = hostPort.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return { ok: false, reason: 'not_url' };
      port = after.slice(1);
    }
  } else {
    const colon = hostPort.lastIndexOf(':');
    rawHost = colon === -1 ? hostPort : hostPort.slice(0, colon);
    if (colon !== -1) port = hostPort.slice(colon + 1);
  }
  if (port !== '') {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return { ok: false, reason: 'not_url' };
    port = String(Number(port));
    if (port === DEFAULT_PORTS[scheme]) port = '';
  }

  const host = normaliseUrlHost(rawHost, bare);
  if (host === undefined) return { ok: false, reason: 'not_url' };
  const bareHost = host.startsWith('[') ? host.slice(1, -1) : host;
  const privateHost = isLocalhostName(host) || isPrivateAddress(bareHost);
  const value = `${scheme}://${userinfo}${host}${port ? `:${port}` : ''}${tail}`;
  return { ok: true, value, host, privateHost };
}

function normaliseUrlHost(raw: string, requireDomain: boolean): string | undefined {
  if (raw.startsWith('[')) {
    const groups = parseIPv6(raw);
    return groups ? `[${formatIPv6(groups)}]` : undefined;
  }
  const v4 = parseIPv4(raw);
  if (v4) return v4.join('.');
  // all-numeric or hex hosts that are not a strict dotted quad (010.1.1.1, 0x7f.1, 2130706433) are ambiguous
  return requireDomain ? normaliseDomain(raw) : normaliseHostName(raw, false);
}

/** VirusTotal's URL identifier: unpadded URL-safe base64 of the URL (vt-api.md 3.5). */
export function vtUrlId(url: string): string {
  return Buffer.from(url, 'utf8').toString('base64url');
}
