/**
 * IPv4 / IPv6 parsing to canonical text, and the private / reserved ranges that must not be
 * looked up (or fetched) unless explicitly allowed.
 */

/**
 * Four octets from strict dotted-quad text; leading zeros (010.1.1.1) are refused as ambiguous (octal?).
 * Each part is `0` or 1-3 ASCII digits without a leading zero, at most 255. Scanned by character: every
 * attacker address of a honeypot log comes through here.
 */
export function parseIPv4(text: string): number[] | undefined {
  const octets: number[] = [];
  let n = 0;
  let digits = 0;
  const end = text.length;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 46;
    if (c === 46) {
      // '.' or the end: close the part
      if (digits === 0 || n > 255 || octets.length === 4) return undefined;
      octets.push(n);
      n = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if ((digits > 0 && n === 0) || digits === 3) return undefined;
      digits++;
      n = n * 10 + (c - 48);
    } else return undefined;
  }
  return octets.length === 4 ? octets : undefined;
}

/** Eight 16-bit groups from IPv6 text (with `::`, an IPv4 tail, optional brackets); no zone ids. */
export function parseIPv6(input: string): number[] | undefined {
  let text = input;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (!/^[0-9a-f:.]+$/i.test(text) || !text.includes(':')) return undefined;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    // "::ffff:1.2.3.4" -> "::ffff", "::1.2.3.4" -> "::", "1:2:3:4:5:6:1.2.3.4" -> "1:2:3:4:5:6"
    const prefix = text.slice(0, lastColon + 1);
    text = prefix.endsWith('::') ? prefix : prefix.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const readGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = readGroups(halves[0] as string);
  if (!head) return undefined;
  if (halves.length === 1) {
    const groups = [...head, ...tail];
    return groups.length === 8 ? groups : undefined;
  }
  const rest = readGroups(halves[1] as string);
  if (!rest) return undefined;
  const known = head.length + rest.length + tail.length;
  if (known > 7) return undefined;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

/** RFC 5952 text: lower-case, no leading zeros, the longest run (>= 2) of zero groups as `::`. */
export function formatIPv6(groups: readonly number[]): string {
  if (isV4Mapped(groups)) return `::ffff:${embeddedV4(groups).join('.')}`;
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export interface CanonicalIp {
  version: 4 | 6;
  value: string;
}

/** Canonical text of an IP address (IPv6 may come in brackets), or undefined when `text` is not one. */
export function canonicalIp(text: string): CanonicalIp | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { version: 4, value: v4.join('.') };
  const v6 = parseIPv6(text);
  if (v6) return { version: 6, value: formatIPv6(v6) };
  return undefined;
}

function isV4Mapped(g: readonly number[]): boolean {
  return g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
}

function embeddedV4(g: readonly number[]): number[] {
  const hi = g[6] as number;
  const lo = g[7] as number;
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

const PRIVATE_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, incl. 169.254.169.254 cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. 255.255.255.255 broadcast
];

/** The ranges as numbers, made on first use (not when a start-up loads this module to parse a hash). */
let privateV4Ranges: ReadonlyArray<{ base: number; mask: number }> | undefined;
function privateV4RangeList(): ReadonlyArray<{ base: number; mask: number }> {
  privateV4Ranges ??= PRIVATE_V4.map(([addr, prefix]) => {
    const base = v4ToNumber(parseIPv4(addr) as number[]);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { base: (base & mask) >>> 0, mask };
  });
  return privateV4Ranges;
}

function v4ToNumber(o: readonly number[]): number {
  return (((o[0] as number) << 24) | ((o[1] as number) << 16) | ((o[2] as number) << 8) | (o[3] as number)) >>> 0;
}

function isPrivateV4(octets: readonly number[]): boolean {
  const n = v4ToNumber(octets);
  return privateV4RangeList().some((r) => ((n & r.mask) >>> 0) === r.base);
}

function isPrivateV6(g: readonly number[]): boolean {
  const first = g[0] as number;
  // IPv4-mapped (::ffff:0:0/96) and NAT64 well-known prefix (64:ff9b::/96): judge the embedded IPv4
  if (isV4Mapped(g)) return isPrivateV4(embeddedV4(g));
  if (first === 0x64 && g[1] === 0xff9b && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0) {
    return isPrivateV4(embeddedV4(g));
  }
  // Only global unicast 2000::/3 is public; everything else (::, ::1, fc00::/7, fe80::/10, ff00::/8 ...) is not
  if ((first & 0xe000) !== 0x2000) return true;
  if (first === 0x2001 && g[1] === 0x0db8) return true; // documentation 2001:db8::/32
  if (first === 0x3fff && ((g[1] as number) & 0xf000) === 0) return true; // documentation 3fff::/20
  if (first === 0x2001 && ((g[1] as number) & 0xfff0) === 0x0010) return true; // ORCHID 2001:10::/28
  if (first === 0x2001 && g[1] === 0x0002 && g[2] === 0) return true; // benchmarking 2001:2::/48
  if (first === 0x2002) {
    // 6to4: the embedded IPv4 sits in groups 1-2
    const hi = g[1] as number;
    const lo = g[2] as number;
    return isPrivateV4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  }
  return false;
}

/**
 * True for RFC 1918, loopback, link-local (incl. 169.254.169.254 metadata), CGNAT 100.64/10, 0/8,
 * multicast, reserved, broadcast, documentation and benchmarking ranges, IPv6 ::1, ::, fc00::/7,
 * fe80::/10, multicast and any non-global-unicast space, and IPv4-mapped / NAT64 / 6to4 forms of
 * private IPv4. False for public addresses and for text that is not an IP address.
 */
export function isPrivateAddress(ip: string): boolean {
  const v4 = parseIPv4(ip.trim());
  if (v4) return isPrivateV4(v4);
  const v6 = parseIPv6(ip.trim());
  if (v6) return isPrivateV6(v6);
  return false;
}
