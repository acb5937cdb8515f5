/**
 * What the URLhaus simulator answers, as a pure function of the query, so tests can predict it.
 * Shapes follow the real samples in shared/data/api/urlhaus (numbers as strings, "UTC" dates,
 * `larted` as "true"/"false"). The droppers seen in the shared Cowrie logs are known records.
 */
import { createHash } from 'node:crypto';

export type UrlhausQueryKind = 'url' | 'host' | 'payload';

interface KnownDropper {
  url: string;
  sha256: string;
  signature: string | null;
  fileType: string;
  tags: string[];
  urlStatus: 'online' | 'offline';
  dateAdded: string;
  reporter: string;
  size: number;
}

/** Droppers from the shared Cowrie logs (kareiva 2018, jasonmpittman 2020, honeypot-ai 2023). */
export const KNOWN_URLHAUS_DROPPERS: readonly KnownDropper[] = [
  {
    url: 'http://54.37.72.170/n3',
    sha256: '3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866',
    signature: 'Mirai',
    fileType: 'elf',
    tags: ['elf', 'mirai'],
    urlStatus: 'offline',
    dateAdded: '2018-06-12 01:02:11 UTC',
    reporter: 'zbetcheckin',
    size: 59_872,
  },
  {
    url: 'http://45.148.10.95/dlrdlrdlrdlr00001/d4mnasdasd4mn.x86',
    sha256: '26e80ca1414fd6e57398200354a5cd8efb377ed9c5b1baf1037f071872b7dbc1',
    signature: 'Gafgyt',
    fileType: 'elf',
    tags: ['elf', 'gafgyt'],
    urlStatus: 'offline',
    dateAdded: '2020-03-19 11:20:04 UTC',
    reporter: 'geenensp',
    size: 119_348,
  },
  {
    url: 'http://94.156.68.152/ah',
    sha256: 'fe9291a4727da7f6f40763c058b88a5b0031ee5e1f6c8d71cc4b55387594c054',
    signature: null,
    fileType: 'sh',
    tags: ['mirai', 'sh'],
    urlStatus: 'offline',
    dateAdded: '2023-11-30 02:15:40 UTC',
    reporter: 'abuse_ch',
    size: 1_832,
  },
  {
    url: 'http://87.242.89.170/ISIS.sh',
    sha256: 'f03b5186bfc5f66608e1505f2a7f386900f54ebb810d7e8f3ac644bcb811bbed',
    signature: 'Bashlite',
    fileType: 'sh',
    tags: ['bashlite', 'sh'],
    urlStatus: 'online',
    dateAdded: '2023-12-13 23:30:12 UTC',
    reporter: 'lrz_urlhaus',
    size: 2_410,
  },
];

/** Payloads known without a download URL (the RedTail kit uploaded over SFTP in the 2026 log). */
const KNOWN_PAYLOADS: ReadonlyArray<{ sha256: string; signature: string | null; fileType: string; firstSeen: string }> = [
  ['59c29436755b0778e968d49feeae20ed65f5fa5e35f9f7965b8ed93420db91e5', 'RedTail', 'elf'],
  ['048e374baac36d8cf68dd32e48313ef8eb517d647548b1bf5f26d2d0e2e3cdc7', 'RedTail', 'elf'],
  ['3625d068896953595e75df328676a08bc071977ac1ff95d44b745bbcb7018c6f', 'RedTail', 'elf'],
  ['dbb7ebb960dc0d5a480f97ddde3a227a2d83fcaca7d37ae672e6a0a6785631e9', 'RedTail', 'elf'],
  ['783adb7ad6b16fe9818f3e6d48b937c3ca1994ef24e50865282eeedeab7e0d59', null, 'sh'],
  ['d46555af1173d22f07c37ef9c1e0e74fd68db022f2b6fb3ab5388d2c5bc6a98e', null, 'sh'],
].map(([sha256, signature, fileType]) => ({
  sha256: sha256 as string,
  signature: signature ?? null,
  fileType: fileType as string,
  firstSeen: '2026-03-02 08:14:51',
}));

const SIGNATURES = ['Mirai', 'Gafgyt', 'Mozi', 'XorDDoS', 'Tsunami', 'CoinMiner', 'Bashlite', null] as const;
const TAG_SETS = [['elf', 'mirai'], ['elf', 'gafgyt'], ['sh'], ['elf', 'mozi'], ['32-bit', 'elf', 'arm'], ['exe']];
const REPORTERS = ['abuse_ch', 'zbetcheckin', 'lrz_urlhaus', 'geenensp', 'Cryptolaemus1'];

function seed(label: string, value: string): Buffer {
  return createHash('sha256').update(`urlhaus:${label}:${value}`).digest();
}

function hexOf(label: string, value: string, length: number): string {
  return createHash('sha256').update(`urlhaus-hex:${label}:${value}`).digest('hex').slice(0, length);
}

/** A date in 2019..2025 chosen by the seed, in URLhaus's "YYYY-MM-DD HH:MM:SS UTC" form. */
function dateFrom(s: Buffer, offset = 0): string {
  const start = Date.UTC(2019, 0, 1);
  const ms = start + (s.readUInt32BE(4) % (7 * 365 * 86400)) * 1000 + offset;
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

function reference(kind: 'url' | 'host', id: string): string {
  return `https://urlhaus.abuse.ch/${kind}/${id}/`;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

function urlId(url: string): string {
  return String(100_000 + (seed('url-id', url).readUInt32BE(0) % 3_000_000));
}

function payloadRef(sha256: string, signature: string | null, fileType: string, size: number, firstSeen: string, filename: string | null) {
  const vtSeed = seed('vt', sha256);
  const positives = 10 + (vtSeed[0] ?? 0) % 50;
  return {
    firstseen: firstSeen.slice(0, 10),
    filename,
    file_type: fileType,
    response_size: String(size),
    response_md5: hexOf('md5', sha256, 32),
    response_sha256: sha256,
    urlhaus_download: `https://urlhaus-api.abuse.ch/v1/download/${sha256}/`,
    signature,
    virustotal: (vtSeed[1] ?? 0) < 64 ? null : { result: `${positives} / 66`, percent: ((positives / 66) * 100).toFixed(2), link: `https://www.virustotal.com/gui/file/${sha256}` },
    imphash: null,
    ssdeep: null,
    tlsh: hexOf('tlsh', sha256, 70).toUpperCase(),
  };
}

function urlRecord(url: string, d: { sha256: string; signature: string | null; fileType: string; tags: string[]; urlStatus: string; dateAdded: string; reporter: string; size: number }) {
  const id = urlId(url);
  return {
    query_status: 'ok',
    id,
    urlhaus_reference: reference('url', id),
    url,
    url_status: d.urlStatus,
    host: hostOf(url),
    date_added: d.dateAdded,
    last_online: d.urlStatus === 'online' ? null : d.dateAdded,
    threat: 'malware_download',
    blacklists: { spamhaus_dbl: 'not listed', surbl: 'not listed' },
    reporter: d.reporter,
    larted: 'true',
    takedown_time_seconds: d.urlStatus === 'online' ? null : String(3600 + (seed('takedown', url).readUInt16BE(0) % 86400)),
    tags: d.tags,
    payloads: [payloadRef(d.sha256, d.signature, d.fileType, d.size, d.dateAdded, url.split('/').pop() || null)],
  };
}

/** A synthetic dropper for an unknown URL the seed says is listed. */
function syntheticDropper(url: string) {
  const s = seed('url', url);
  return {
    sha256: hexOf('payload-of', url, 64),
    signature: SIGNATURES[(s[1] ?? 0) % SIGNATURES.length] ?? null,
    fileType: (s[2] ?? 0) % 3 === 0 ? 'sh' : 'elf',
    tags: TAG_SETS[(s[3] ?? 0) % TAG_SETS.length] ?? [],
    urlStatus: (s[8] ?? 0) % 3 === 0 ? 'online' : 'offline',
    dateAdded: dateFrom(s),
    reporter: REPORTERS[(s[9] ?? 0) % REPORTERS.length] ?? 'abuse_ch',
    size: 1_000 + s.readUInt16BE(10) * 4,
  };
}

/** Share (0..256) of unknown URLs, hosts and payloads that the simulator lists. */
const LISTED_URL = 64;
const LISTED_HOST = 40;
const LISTED_PAYLOAD = 40;

export function simulatedUrlLookup(rawUrl: string): Record<string, unknown> {
  const url = rawUrl.trim();
  if (!/^(https?|ftp|tftp):\/\/[^\s/]+/i.test(url) || url.length > 2048) return { query_status: 'invalid_url' };
  const known = KNOWN_URLHAUS_DROPPERS.find((d) => d.url === url);
  if (known) return urlRecord(url, known);
  if ((seed('url', url)[0] ?? 255) < LISTED_URL) return urlRecord(url, syntheticDropper(url));
  return { query_status: 'no_results' };
}

function hostUrls(host: string): string[] {
  const known = KNOWN_URLHAUS_DROPPERS.filter((d) => hostOf(d.url) === host).map((d) => d.url);
  if (known.length > 0) return known;
  const s = seed('host', host);
  if ((s[0] ?? 255) >= LISTED_HOST) return [];
  const names = ['bins.sh', 'x86', 'arm7', 'mips', 'i686', 'update.sh', 'a'];
  const count = 1 + ((s[1] ?? 0) % 3);
  return Array.from({ length: count }, (_, i) => `http://${host}/${names[((s[2] ?? 0) + i) % names.length]}`);
}

const HOST_RE = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+:[0-9a-f:]*|([a-z0-9-]+\.)+[a-z]{2,63})$/i;

export function simulatedHostLookup(rawHost: string): Record<string, unknown> {
  const host = rawHost.trim().toLowerCase();
  if (!HOST_RE.test(host)) return { query_status: 'invalid_host' };
  const urls = hostUrls(host);
  if (urls.length === 0) return { query_status: 'no_results' };
  const records = urls.map((url) => {
    const known = KNOWN_URLHAUS_DROPPERS.find((d) => d.url === url);
    const d = known ?? syntheticDropper(url);
    const id = urlId(url);
    return {
      id,
      urlhaus_reference: reference('url', id),
      url,
      url_status: d.urlStatus,
      date_added: d.dateAdded,
      threat: 'malware_download',
      reporter: d.reporter,
      larted: 'true',
      takedown_time_seconds: d.urlStatus === 'online' ? '' : String(3600 + (seed('takedown', url).readUInt16BE(0) % 86400)),
      tags: d.tags,
    };
  });
  const firstSeen = records.map((r) => r.date_added).sort()[0] ?? dateFrom(seed('host', host));
  return {
    query_status: 'ok',
    urlhaus_reference: reference('host', host),
    host,
    firstseen: firstSeen,
    url_count: String(records.length),
    blacklists: { spamhaus_dbl: 'not listed', surbl: 'not listed' },
    urls: records,
  };
}

function payloadRecord(sha256: string, md5: string, urls: string[], p: { signature: string | null; fileType: string; firstSeen: string; size: number }) {
  const vt = payloadRef(sha256, p.signature, p.fileType, p.size, p.firstSeen, null).virustotal;
  return {
    query_status: 'ok',
    md5_hash: md5,
    sha256_hash: sha256,
    file_type: p.fileType,
    file_size: String(p.size),
    signature: p.signature,
    firstseen: p.firstSeen.replace(/ UTC$/, ''),
    lastseen: urls.length > 0 ? p.firstSeen.replace(/ UTC$/, '') : null,
    url_count: String(urls.length),
    urlhaus_download: `https://urlhaus-api.abuse.ch/v1/download/${sha256}/`,
    virustotal: vt,
    imphash: null,
    ssdeep: null,
    tlsh: hexOf('tlsh', sha256, 70).toUpperCase(),
    urls: urls.map((url) => {
      const id = urlId(url);
      return {
        url_id: id,
        url,
        url_status: KNOWN_URLHAUS_DROPPERS.find((d) => d.url === url)?.urlStatus ?? 'offline',
        urlhaus_reference: reference('url', id),
        filename: url.split('/').pop() || null,
        firstseen: p.firstSeen.slice(0, 10),
        lastseen: '',
      };
    }),
  };
}

/** Payload lookup by sha256 or md5 (a hash of the wrong length is the matching `invalid_*`). */
export function simulatedPayloadLookup(rawHash: string, field: 'sha256_hash' | 'md5_hash' = rawHash.trim().length === 32 ? 'md5_hash' : 'sha256_hash'): Record<string, unknown> {
  const hash = rawHash.trim().toLowerCase();
  if (field === 'md5_hash' && !/^[0-9a-f]{32}$/.test(hash)) return { query_status: 'invalid_md5' };
  if (field === 'sha256_hash' && !/^[0-9a-f]{64}$/.test(hash)) return { query_status: 'invalid_sha256' };
  // An md5 lookup finds the same record as the sha256 it was derived from (see payloadRef).
  const sha256 =
    field === 'sha256_hash'
      ? hash
      : (KNOWN_URLHAUS_DROPPERS.find((d) => hexOf('md5', d.sha256, 32) === hash)?.sha256 ??
        KNOWN_PAYLOADS.find((p) => hexOf('md5', p.sha256, 32) === hash)?.sha256 ??
        hexOf('sha256-of-md5', hash, 64));
  const md5 = field === 'md5_hash' ? hash : hexOf('md5', sha256, 32);
  const dropper = KNOWN_URLHAUS_DROPPERS.filter((d) => d.sha256 === sha256);
  if (dropper[0]) {
    const d = dropper[0];
    return payloadRecord(sha256, md5, dropper.map((x) => x.url), { signature: d.signature, fileType: d.fileType, firstSeen: d.dateAdded, size: d.size });
  }
  const payload = KNOWN_PAYLOADS.find((p) => p.sha256 === sha256);
  if (payload) return payloadRecord(sha256, md5, [], { ...payload, size: 2_893_048 });
  const s = seed('payload', sha256);
  if ((s[0] ?? 255) >= LISTED_PAYLOAD) return { query_status: 'no_results' };
  const firstOctet = [45, 91, 103, 185, 193, 194, 212][(s[1] ?? 0) % 7];
  const url = `http://${firstOctet}.${s[2]}.${s[3]}.${((s[4] ?? 0) % 254) + 1}/${['x86', 'bins.sh', 'arm7', 'mips'][(s[5] ?? 0) % 4]}`;
  return payloadRecord(sha256, md5, [url], {
    signature: SIGNATURES[(s[6] ?? 0) % SIGNATURES.length] ?? null,
    fileType: (s[7] ?? 0) % 3 === 0 ? 'sh' : 'elf',
    firstSeen: dateFrom(s),
    size: 1_000 + s.readUInt16BE(10) * 4,
  });
}

/**
 * The simulator's answer for an indicator as a test would pass it: a URL (has `://`) goes to the URL
 * lookup, a 32/64-hex string to the payload lookup, anything else to the host lookup.
 */
export function simulatedUrlhaus(indicator: string): Record<string, unknown> {
  const value = indicator.trim();
  if (value.includes('://')) return simulatedUrlLookup(value);
  if (/^([0-9a-f]{32}|[0-9a-f]{64})$/i.test(value)) return simulatedPayloadLookup(value);
  return simulatedHostLookup(value);
}
