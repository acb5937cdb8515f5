/**
 * What the DShield/ISC simulator answers for an IP, as a pure function of the address.
 * Shape of the real `api/ip/<ip>?json` answer (shared/data/api/dshield): quiet addresses carry
 * nulls, `network` is a CIDR. The attackers of the shared Cowrie logs are known with counts.
 */
import { createHash } from 'node:crypto';
import { simulatedNetwork } from '../networks.js';
import { isIP } from 'node:net';

interface KnownAttacker {
  count: number;
  attacks: number;
  mindate: string;
  maxdate: string;
  as: number;
  asname: string;
  ascountry: string;
  threatfeeds?: Record<string, { firstseen: string; lastseen: string }>;
}

/** Top attackers of the shared Cowrie logs, with plausible report counts. */
export const KNOWN_DSHIELD_ATTACKERS: Readonly<Record<string, KnownAttacker>> = {
  '146.0.77.159': { count: 48_211, attacks: 5_120, mindate: '2018-02-03', maxdate: '2018-06-30', as: 31_034, asname: 'ARUBA-ASN', ascountry: 'IT' },
  '185.222.209.108': { count: 12_804, attacks: 2_033, mindate: '2018-05-11', maxdate: '2018-06-20', as: 49_453, asname: 'GLOBALLAYER', ascountry: 'NL' },
  '61.8.73.166': { count: 3_912, attacks: 611, mindate: '2018-06-01', maxdate: '2018-06-14', as: 4_766, asname: 'KIXS-AS-KR Korea Telecom', ascountry: 'KR', threatfeeds: { blocklistde22: { firstseen: '2018-06-02', lastseen: '2018-06-13' } } },
  '157.230.123.253': { count: 7_345, attacks: 1_290, mindate: '2020-02-21', maxdate: '2020-03-25', as: 14_061, asname: 'DIGITALOCEAN-ASN', ascountry: 'US' },
  '193.142.146.21': { count: 21_877, attacks: 4_501, mindate: '2020-01-04', maxdate: '2020-04-02', as: 208_476, asname: 'PRIVATE-LAYER', ascountry: 'NL', threatfeeds: { ciarmy: { firstseen: '2020-01-10', lastseen: '2020-03-30' } } },
  '204.76.203.13': { count: 15_442, attacks: 3_870, mindate: '2023-10-02', maxdate: '2023-12-01', as: 400_328, asname: 'INTELLIGENCE-ATOM-HOSTING', ascountry: 'US', threatfeeds: { blocklistde22: { firstseen: '2023-10-05', lastseen: '2023-12-01' }, ciarmy: { firstseen: '2023-10-20', lastseen: '2023-11-30' } } },
  '87.242.92.23': { count: 2_106, attacks: 418, mindate: '2023-11-20', maxdate: '2023-12-14', as: 44_050, asname: 'PIN-AS', ascountry: 'RU' },
  '27.93.25.111': { count: 9_833, attacks: 2_774, mindate: '2023-08-14', maxdate: '2024-01-30', as: 2_516, asname: 'KDDI KDDI CORPORATION', ascountry: 'JP' },
  '111.216.194.148': { count: 6_120, attacks: 1_955, mindate: '2023-09-01', maxdate: '2024-01-29', as: 2_519, asname: 'VECTANT ARTERIA Networks Corporation', ascountry: 'JP' },
  '66.181.171.136': { count: 31_502, attacks: 6_611, mindate: '2025-12-02', maxdate: '2026-03-26', as: 24_086, asname: 'VIETTEL-AS-VN', ascountry: 'VN' },
  '195.178.110.218': { count: 18_090, attacks: 3_407, mindate: '2026-01-15', maxdate: '2026-03-26', as: 213_438, asname: 'COLOCATIONX', ascountry: 'NL', threatfeeds: { blocklistde22: { firstseen: '2026-01-20', lastseen: '2026-03-25' } } },
  '130.12.180.51': { count: 4_390, attacks: 1_012, mindate: '2026-02-28', maxdate: '2026-03-25', as: 214_943, asname: 'RAILNET', ascountry: 'US' },
};


function seed(ip: string): Buffer {
  return createHash('sha256').update(`dshield:${ip}`).digest();
}

function day(s: Buffer, at: number, spanDays: number, base = Date.UTC(2024, 0, 1)): string {
  return new Date(base + (s.readUInt16BE(at) % spanDays) * 86_400_000).toISOString().slice(0, 10);
}

function network(ip: string): string {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.');
    return `${a}.${b}.0.0/16`;
  }
  return `${ip.split(':').slice(0, 3).join(':')}::/48`;
}

/** The real ISC answer in shared/data/api/dshield (stix-shifter's test capture). */
const REAL_QUIET_SAMPLE = {
  ip: {
    number: '101.81.5.6',
    count: null,
    attacks: null,
    maxdate: null,
    mindate: null,
    updated: null,
    comment: null,
    maxrisk: null,
    asabusecontact: 'anti-spam@ns.chinanet.cn.net',
    as: 4812,
    asname: 'CHINANET-SH-AP China Telecom Group',
    ascountry: 'CN',
    assize: 11671552,
    network: '101.80.0.0/13',
  },
};

/** Share (0..256) of unknown addresses answered as quiet (all counters null). */
const QUIET = 90;

/** The body the simulator sends for `GET /api/ip/<ip>?json`. */
export function simulatedDshield(rawIp: string): Record<string, unknown> {
  const ip = rawIp.trim().toLowerCase();
  if (isIP(ip) === 0) return { ip: { error: 'bad IP address' } };
  const s = seed(ip);
  // the same owner as the other simulated sources say (mock/networks.ts)
  const net = simulatedNetwork(ip);
  const known = KNOWN_DSHIELD_ATTACKERS[ip];
  const base = {
    number: ip,
    asabusecontact: `abuse@${net.name.split(/[\s-]/)[0]?.toLowerCase()}.example`,
    as: net.asn,
    asname: net.name,
    ascountry: net.country,
    assize: net.size,
    network: network(ip),
  };
  if (known) {
    return {
      ip: {
        ...base,
        count: known.count,
        attacks: known.attacks,
        maxdate: known.maxdate,
        mindate: known.mindate,
        updated: `${known.maxdate} 05:10:31`,
        comment: null,
        maxrisk: 0,
        ...(known.threatfeeds ? { threatfeeds: known.threatfeeds } : {}),
      },
    };
  }
  if (ip === REAL_QUIET_SAMPLE.ip.number) return structuredClone(REAL_QUIET_SAMPLE);
  if ((s[0] ?? 0) < QUIET) {
    return { ip: { ...base, count: null, attacks: null, maxdate: null, mindate: null, updated: null, comment: null, maxrisk: null } };
  }
  const count = 1 + (s.readUInt16BE(2) % 20_000);
  const attacks = 1 + (s.readUInt16BE(4) % Math.max(1, Math.ceil(count / 4)));
  const mindate = day(s, 6, 600);
  const feeds = (s[8] ?? 0) % 4 === 0 ? { blocklistde22: { firstseen: mindate, lastseen: day(s, 9, 90, Date.UTC(2025, 6, 1)) } } : undefined;
  return {
    ip: {
      ...base,
      // ISC sends some counters as strings; the simulator does too for a share of addresses.
      count: (s[11] ?? 0) % 5 === 0 ? String(count) : count,
      attacks: (s[11] ?? 0) % 5 === 0 ? String(attacks) : attacks,
      maxdate: day(s, 12, 90, Date.UTC(2025, 6, 1)),
      mindate,
      updated: `${day(s, 12, 90, Date.UTC(2025, 6, 1))} 04:30:00`,
      comment: null,
      maxrisk: (s[14] ?? 0) % 11,
      ...(feeds ? { threatfeeds: feeds } : (s[15] ?? 0) % 2 === 0 ? { threatfeeds: {} } : {}),
    },
  };
}
