import { domainToASCII } from 'node:url';
import { parseIPv4 } from './ip.js';

const MAX_DOMAIN_LENGTH = 253;
/** Letters (any script), digits, marks, `-`, `_`, `.`: anything else cannot be a host name. */
// built on first use: creating a Unicode regex literal parses it (~3 M instructions at start-up)
let hostChars: RegExp | undefined;
const HOST_CHARS = (): RegExp => (hostChars ??= /^[\p{L}\p{M}\p{N}._-]+$/u);
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Lower-case punycode form of a host name without its trailing dot, or undefined when it is not a
 * valid host name. `requireTld`: at least two labels and an alphabetic (or punycode) top-level label.
 */
export function normaliseHostName(input: string, requireTld: boolean): string | undefined {
  let text = input;
  if (text.endsWith('.')) text = text.slice(0, -1);
  if (text === '' || !HOST_CHARS().test(text)) return undefined;
  const ascii = domainToASCII(text);
  if (ascii === '' || ascii.length > MAX_DOMAIN_LENGTH) return undefined;
  // WHATWG turns hosts such as 0x7f.1 or 2130706433 into IPv4 addresses: those are not names
  if (parseIPv4(ascii)) return undefined;
  const labels = ascii.split('.');
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  const last = labels[labels.length - 1] as string;
  if (/^(?:\d+|0x[0-9a-f]*)$/.test(last)) return undefined;
  if (requireTld && (labels.length < 2 || !TLD.test(last))) return undefined;
  return ascii;
}

/** Canonical domain (see `normaliseHostName` with a required TLD), or undefined. */
export function normaliseDomain(input: string): string | undefined {
  return normaliseHostName(input, true);
}

/** The top-level label of a normalised domain. */
export function tldOf(domain: string): string {
  return domain.slice(domain.lastIndexOf('.') + 1);
}

/** `localhost` and `*.localhost` always resolve to loopback (RFC 6761). */
export function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}
