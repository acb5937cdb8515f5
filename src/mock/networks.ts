/**
 * One view of who owns an IP address, shared by every simulated source (VirusTotal, DShield, SPUR),
 * so they agree on its ASN and country: the addresses of the real captures and the Cowrie attackers
 * first, then a network picked by a hash of the address from one pool.
 */
import { createHash } from 'node:crypto';

export interface SimulatedNetwork {
  asn: number;
  /** The AS name (DShield's `asname`, VirusTotal's `as_owner`). */
  name: string;
  /** The organisation (SPUR's `as.organization`). */
  organization: string;
  country: string;
  city?: string;
  state?: string;
  continent: string;
  rir: string;
  datacenter: boolean;
  /** Addresses announced by the AS (DShield's `assize`). */
  size: number;
}

const REGION: Record<string, { continent: string; rir: string }> = {
  US: { continent: 'NA', rir: 'ARIN' },
  CA: { continent: 'NA', rir: 'ARIN' },
  BR: { continent: 'SA', rir: 'LACNIC' },
  CN: { continent: 'AS', rir: 'APNIC' },
  JP: { continent: 'AS', rir: 'APNIC' },
  KR: { continent: 'AS', rir: 'APNIC' },
  VN: { continent: 'AS', rir: 'APNIC' },
  IN: { continent: 'AS', rir: 'APNIC' },
};
const region = (country: string) => REGION[country] ?? { continent: 'EU', rir: 'RIPE NCC' };

type Known = { asn: number; name: string; country: string; city?: string; state?: string };

/** Addresses of the real captures (SPUR, DShield) and the attackers of the shared Cowrie logs. */
const KNOWN: Record<string, Known> = {
  '146.0.77.159': { asn: 31034, name: 'ARUBA-ASN', country: 'IT' },
  '185.222.209.108': { asn: 49453, name: 'GLOBALLAYER', country: 'NL' },
  '61.8.73.166': { asn: 4766, name: 'KIXS-AS-KR Korea Telecom', country: 'KR' },
  '157.230.123.253': { asn: 14061, name: 'DIGITALOCEAN-ASN', country: 'US' },
  '193.142.146.21': { asn: 208476, name: 'PRIVATE-LAYER', country: 'NL' },
  '204.76.203.13': { asn: 400328, name: 'INTELLIGENCE-ATOM-HOSTING', country: 'US' },
  '87.242.92.23': { asn: 44050, name: 'PIN-AS', country: 'RU' },
  '27.93.25.111': { asn: 2516, name: 'KDDI KDDI CORPORATION', country: 'JP' },
  '111.216.194.148': { asn: 2519, name: 'VECTANT ARTERIA Networks Corporation', country: 'JP' },
  '66.181.171.136': { asn: 24086, name: 'VIETTEL-AS-VN', country: 'VN' },
  '195.178.110.218': { asn: 213438, name: 'COLOCATIONX', country: 'NL' },
  '130.12.180.51': { asn: 214943, name: 'RAILNET', country: 'US' },
  '101.81.5.6': { asn: 4812, name: 'CHINANET-SH-AP China Telecom Group', country: 'CN' },
  '89.39.106.191': { asn: 49981, name: 'WorldStream', country: 'NL', city: 'Amsterdam', state: 'North Holland' },
  '23.234.69.25': { asn: 11878, name: 'tzulo, inc.', country: 'US', city: 'Denver', state: 'Colorado' },
  '38.13.137.79': { asn: 214483, name: 'FiberPower LLC', country: 'US' },
  '2600:8804:ee0:8:9e:b7e9:da04:be9': { asn: 22773, name: 'Cox Communications Inc.', country: 'US', city: 'Omaha', state: 'Nebraska' },
  '140.147.140.147': { asn: 2532, name: 'Library of Congress', country: 'US', city: 'New York', state: 'New York' },
};

const POOL: ReadonlyArray<Omit<SimulatedNetwork, 'continent' | 'rir'>> = [
  { asn: 14061, name: 'DIGITALOCEAN-ASN', organization: 'DigitalOcean, LLC', country: 'US', city: 'Santa Clara', state: 'California', datacenter: true, size: 2_805_248 },
  { asn: 16276, name: 'OVH', organization: 'OVH SAS', country: 'FR', city: 'Roubaix', state: 'Hauts-de-France', datacenter: true, size: 4_301_312 },
  { asn: 4134, name: 'CHINANET-BACKBONE No.31,Jin-rong Street', organization: 'Chinanet', country: 'CN', city: 'Shanghai', state: 'Shanghai', datacenter: false, size: 112_340_480 },
  { asn: 45899, name: 'VNPT-AS-VN VNPT Corp', organization: 'VNPT Corp', country: 'VN', city: 'Hanoi', state: 'Hanoi', datacenter: false, size: 9_473_280 },
  { asn: 9009, name: 'M247', organization: 'M247 Europe SRL', country: 'RO', city: 'Bucharest', state: 'Bucuresti', datacenter: true, size: 1_460_224 },
  { asn: 24940, name: 'HETZNER-AS', organization: 'Hetzner Online GmbH', country: 'DE', city: 'Falkenstein', state: 'Saxony', datacenter: true, size: 3_014_656 },
  { asn: 16509, name: 'AMAZON-02', organization: 'Amazon.com, Inc.', country: 'US', city: 'Ashburn', state: 'Virginia', datacenter: true, size: 45_000_000 },
  { asn: 7922, name: 'COMCAST-7922', organization: 'Comcast Cable Communications, LLC', country: 'US', city: 'Denver', state: 'Colorado', datacenter: false, size: 24_000_000 },
];

/** The network the simulators agree an address belongs to. */
export function simulatedNetwork(rawIp: string): SimulatedNetwork {
  const ip = rawIp.trim().toLowerCase();
  const known = KNOWN[ip];
  if (known) {
    const { city, state, ...rest } = known;
    return { ...rest, organization: known.name, ...(city ? { city } : {}), ...(state ? { state } : {}), ...region(known.country), datacenter: true, size: 65_536 };
  }
  const d = createHash('sha256').update(`network:${ip}`).digest();
  const net = POOL[(d[0] as number) % POOL.length] as (typeof POOL)[number];
  return { ...net, ...region(net.country) };
}
