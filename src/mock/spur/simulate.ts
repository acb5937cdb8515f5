/**
 * What the SPUR Context API simulator answers for an IP, as a pure function of the address.
 * The real objects in shared/data/api/spur are answered verbatim for their addresses; others are
 * built from them: mostly minimal objects, some datacenters, VPN tunnels, residential proxies, Tor.
 */
import { createHash } from 'node:crypto';
import { simulatedNetwork } from '../networks.js';
import { isIP } from 'node:net';
import { isPrivateAddress } from '../../indicators/index.js';

type SpurObject = Record<string, unknown>;

/** The real samples (usips/spur-rs test fixtures), keyed by address. */
export const KNOWN_SPUR_OBJECTS: Readonly<Record<string, SpurObject>> = {
  '89.39.106.191': {
    as: { number: 49981, organization: 'WorldStream' },
    client: {
      behaviors: ['FILE_SHARING', 'TOR_PROXY_USER'],
      concentration: { city: 'Polāia Kalān', country: 'IN', density: 0.2675, geohash: 'tsn', skew: 6762, state: 'Madhya Pradesh' },
      count: 4,
      countries: 2,
      proxies: ['ABCPROXY_PROXY', '9PROXY_PROXY', 'NETNUT_PROXY', 'GOPROXY_PROXY'],
      spread: 4724209,
      types: ['MOBILE', 'DESKTOP'],
    },
    infrastructure: 'DATACENTER',
    ip: '89.39.106.191',
    location: { city: 'Amsterdam', country: 'NL', state: 'North Holland' },
    organization: 'WorldStream B.V.',
    risks: ['CALLBACK_PROXY', 'TUNNEL', 'GEO_MISMATCH'],
    services: ['OPENVPN'],
    tunnels: [{ anonymous: true, entries: ['89.39.106.82'], operator: 'PROTON_VPN', type: 'VPN' }],
  },
  '23.234.69.25': {
    as: { number: 11878, organization: 'tzulo, inc.' },
    client: { behaviors: ['FILE_SHARING'] },
    ip: '23.234.69.25',
    location: { city: 'Denver', country: 'US', state: 'Colorado' },
    organization: 'AG Entertainment Inc.',
    risks: ['TUNNEL'],
    tunnels: [{ anonymous: true, entries: ['23.234.69.2'], operator: 'MULLVAD_VPN', type: 'VPN' }],
  },
  '38.13.137.79': {
    as: { number: 214483, organization: 'FiberPower LLC' },
    client: {
      concentration: { city: 'Forest Hill North', country: 'CA', density: 1, geohash: 'dpz88u', skew: 1643, state: 'Ontario' },
      count: 2,
      countries: 1,
      proxies: ['PROXYRACK_PROXY', 'PACKETSTREAM_PROXY', 'ABCPROXY_PROXY', 'DATAIMPULSE_PROXY', 'IPIDEA_PROXY', 'NSOCKS_PROXY'],
      types: ['DESKTOP'],
    },
    ip: '38.13.137.79',
    location: { country: 'US' },
    organization: 'FiberPower LLC',
    risks: ['CALLBACK_PROXY', 'TUNNEL', 'GEO_MISMATCH'],
    tunnels: [{ anonymous: true, operator: 'MYSTERIUM_VPN', type: 'VPN' }],
  },
  '2600:8804:ee0:8:9e:b7e9:da04:be9': {
    as: { number: 22773, organization: 'Cox Communications Inc.' },
    ip: '2600:8804:ee0:8:9e:b7e9:da04:be9',
    location: { city: 'Omaha', country: 'US', state: 'Nebraska' },
    organization: 'Cox Communications Inc.',
  },
  '140.147.140.147': {
    as: { number: 2532, organization: 'Library of Congress' },
    ip: '140.147.140.147',
    location: { city: 'New York', country: 'US', state: 'New York' },
    organization: 'Library of Congress',
  },
};

const VPN_OPERATORS = ['PROTON_VPN', 'MULLVAD_VPN', 'NORD_VPN', 'EXPRESS_VPN', 'SURFSHARK_VPN'];
const PROXIES = ['IPIDEA_PROXY', 'PROXYRACK_PROXY', 'ABCPROXY_PROXY', 'NETNUT_PROXY', '911_PROXY'];

/** Why a SPUR query is refused with 400, or null when the address is acceptable. */
export function spurRejection(rawIp: string): string | null {
  const ip = rawIp.trim();
  if (isIP(ip) === 0) return 'invalid IP address';
  if (isPrivateAddress(ip)) return 'IP address must be a public IPv4 or IPv6 address';
  return null;
}

/** The context object the simulator answers for a public address (null for a refused one). */
export function simulatedSpur(rawIp: string): SpurObject | null {
  const ip = rawIp.trim().toLowerCase();
  if (spurRejection(ip)) return null;
  const known = KNOWN_SPUR_OBJECTS[ip];
  if (known) return structuredClone(known);
  const s = createHash('sha256').update(`spur:${ip}`).digest();
  // the same owner as the other simulated sources say (mock/networks.ts)
  const net = simulatedNetwork(ip);
  const base: SpurObject = {
    as: { number: net.asn, organization: net.organization },
    ip,
    location: { city: net.city, country: net.country, state: net.state },
    organization: net.organization,
  };
  const roll = s[0] ?? 0;
  if (roll < 128) return net?.datacenter ? { ...base, infrastructure: 'DATACENTER' } : base;
  if (roll < 176) return { ...base, infrastructure: 'DATACENTER', services: ['SSH'], client: { behaviors: ['FILE_SHARING'], count: 1 + (s[2] ?? 0) % 5 } };
  if (roll < 216) {
    const operator = VPN_OPERATORS[(s[3] ?? 0) % VPN_OPERATORS.length];
    return {
      ...base,
      infrastructure: 'DATACENTER',
      risks: ['TUNNEL'],
      services: ['OPENVPN'],
      tunnels: [{ anonymous: true, entries: [ip], operator, type: 'VPN' }],
    };
  }
  if (roll < 244) {
    const count = 1 + (s[4] ?? 0) % 3;
    return {
      ...base,
      client: { count: 1 + (s[5] ?? 0) % 8, countries: 1, proxies: PROXIES.slice(0, count), types: ['DESKTOP'] },
      risks: ['CALLBACK_PROXY', 'GEO_MISMATCH'],
    };
  }
  return {
    ...base,
    infrastructure: 'DATACENTER',
    risks: ['TUNNEL'],
    tunnels: [{ anonymous: true, entries: [ip], operator: 'TOR_PROJECT', type: 'TOR' }],
  };
}
