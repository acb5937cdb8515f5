import type { MockKind } from '../types.js';
import { EICAR_SHA256, seedDigest, u32 } from './ids.js';
import { analysisResults } from './results.js';
import { DERIVED_TYPES, EICAR_TYPE } from './file-types.js';
import type { FileRecord, Profile } from './world.js';
import { simulatedNetwork } from '../networks.js';

/** `{type, id, links: {self}, attributes}`, the shape of every VT object. */
export interface VtObject {
  type: string;
  id: string;
  links: { self: string };
  attributes: Record<string, unknown>;
}

const DATES_FROM = 1_420_070_400; // 2015-01-01
const DATES_TO = 1_748_736_000; // 2025-06-01

interface Dates {
  first: number;
  lastAnalysis: number;
  lastModification: number;
}

function derivedDates(kind: MockKind, id: string): Dates {
  const d = seedDigest(kind, id, 'dates');
  const first = DATES_FROM + (u32(d, 0) % (DATES_TO - DATES_FROM - 30 * 86_400));
  const lastAnalysis = first + (u32(d, 4) % (DATES_TO - first));
  return { first, lastAnalysis, lastModification: lastAnalysis + (u32(d, 8) % 86_400) };
}

function pick<T>(list: readonly T[], digest: Buffer, offset: number): T {
  return list[u32(digest, offset) % list.length] as T;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function fakeBase64(digest: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += B64[((digest[i % digest.length] as number) + i * 7) % 64];
  return out;
}

function reputationOf(stats: Record<string, number>, digest: Buffer): number {
  const malicious = stats.malicious ?? 0;
  if (malicious > 0) return -Math.min(200, malicious * (1 + (u32(digest, 12) % 3)));
  if ((stats.suspicious ?? 0) > 0) return -1;
  return u32(digest, 12) % 3;
}

function totalVotes(stats: Record<string, number>, digest: Buffer): { harmless: number; malicious: number } {
  const bad = (stats.malicious ?? 0) > 0;
  return { harmless: bad ? 0 : u32(digest, 16) % 3, malicious: bad ? u32(digest, 16) % 8 : 0 };
}

function popularThreatClassification(label: string, malicious: number): Record<string, unknown> {
  const [category = 'trojan', rest = 'generic/agent'] = label.split('.');
  const [family = 'generic', alias] = rest.split('/');
  const names = [{ count: Math.max(1, Math.ceil(malicious * 0.6)), value: family }];
  if (alias && alias !== family) names.push({ count: Math.max(1, Math.ceil(malicious * 0.3)), value: alias });
  return {
    suggested_threat_label: label,
    popular_threat_category: [{ count: Math.max(1, Math.ceil(malicious * 0.4)), value: category }],
    popular_threat_name: names,
  };
}

/** Real size of uploaded content; a deterministic one for samples known by hash only. */
export function fileSize(record: FileRecord): number {
  if (record.hashes.sha256 === EICAR_SHA256) return 68;
  return record.size ?? 512 + (u32(seedDigest('file', record.hashes.sha256, 'attributes'), 4) % 3_000_000);
}

export function fileObject(origin: string, record: FileRecord, profile: Profile, lastAnalysisSec: number | null): VtObject {
  const { sha256, sha1, md5 } = record.hashes;
  const eicar = sha256 === EICAR_SHA256;
  const d = seedDigest('file', sha256, 'attributes');
  const dates = derivedDates('file', sha256);
  const first = record.uploadedAt !== null && !record.knownBeforeUpload ? record.uploadedAt : dates.first;
  const lastAnalysis = Math.max(lastAnalysisSec ?? 0, record.uploadedAt ?? 0, first === dates.first ? dates.lastAnalysis : first);
  const type = eicar ? EICAR_TYPE : (record.type ?? pick(DERIVED_TYPES, d, 0));
  const size = fileSize(record);
  const names = eicar
    ? ['eicar.com', 'eicar.com.txt', 'eicar.txt']
    : record.filename
      ? [record.filename]
      : [type.extension ? `${sha256.slice(0, 10)}.${type.extension}` : sha256.slice(0, 10)];
  const { stats, threatLabel } = profile;
  const malicious = stats.malicious ?? 0;
  const timesSubmitted = eicar ? 74_532 : record.knownBeforeUpload ? 1 + (u32(d, 8) % 40) : 1;
  const attributes: Record<string, unknown> = {
    type_description: type.description,
    tlsh: `T1${Buffer.concat([d, seedDigest('file', sha256, 'tlsh')]).toString('hex').slice(0, 70).toUpperCase()}`,
    vhash: seedDigest('file', sha256, 'vhash').toString('hex').slice(0, 32),
    trid: type.trid,
    names,
    last_modification_date: lastAnalysis + (u32(d, 20) % 3600),
    type_tag: type.tag,
    times_submitted: timesSubmitted,
    total_votes: totalVotes(stats, d),
    size,
    type_extension: type.extension,
    last_submission_date: lastAnalysis,
    last_analysis_results: analysisResults('file', sha256, stats, threatLabel, lastAnalysis),
    sha256,
    tags: eicar ? ['text', 'attachment', 'known-distributor'] : [...type.tags.slice(-1)],
    last_analysis_date: lastAnalysis,
    unique_sources: Math.min(timesSubmitted, 1 + (u32(d, 12) % 20)),
    first_submission_date: first,
    ssdeep: `${3 * 2 ** (1 + (u32(d, 16) % 10))}:${fakeBase64(d, 24)}:${fakeBase64(seedDigest('file', sha256, 'ssdeep'), 18)}`,
    md5,
    sha1,
    magic: type.magic,
    last_analysis_stats: stats,
    meaningful_name: names[0],
    reputation: eicar ? 3_478 : reputationOf(stats, d),
    type_tags: type.tags,
  };
  if (type.pe) attributes.creation_date = first - (u32(d, 24) % (400 * 86_400));
  if (malicious > 0 && threatLabel) {
    attributes.first_seen_itw_date = first - (u32(d, 28) % (30 * 86_400));
    attributes.popular_threat_classification = popularThreatClassification(threatLabel, malicious);
  }
  return { type: 'file', id: sha256, links: { self: `${origin}/api/v3/files/${sha256}` }, attributes };
}

export const WORDS = ['update', 'cdn', 'files', 'secure', 'login', 'static', 'download', 'mirror', 'portal', 'service', 'bins'];
export const TLDS = ['com', 'net', 'org', 'ru', 'cn', 'xyz', 'top', 'info', 'io', 'de'];

/** A plausible URL for a URL id the simulator never saw as text (only its sha256). */
export function inventedUrl(id: string): string {
  const d = seedDigest('url', id, 'text');
  return `http://${pick(WORDS, d, 0)}-${id.slice(0, 6)}.${pick(TLDS, d, 4)}/${pick(WORDS, d, 8)}/${id.slice(6, 12)}.sh`;
}

function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(url);
  return (m?.[1] ?? '').toLowerCase();
}

function tldOf(host: string): string {
  const parts = host.split('.');
  return parts.length > 1 && !/^\d+$/.test(parts[parts.length - 1] as string) ? (parts[parts.length - 1] as string) : '';
}

const URL_CATEGORIES = ['malware sites', 'known infection source', 'command and control', 'phishing and other frauds', 'parked'];
const CLEAN_CATEGORIES = ['information technology', 'business', 'search engines and portals', 'education', 'news'];

function categoriesOf(kind: MockKind, id: string, bad: boolean): Record<string, string> {
  const d = seedDigest(kind, id, 'categories');
  const list = bad ? URL_CATEGORIES : CLEAN_CATEGORIES;
  return {
    'Forcepoint ThreatSeeker': pick(list, d, 0),
    Sophos: pick(list, d, 4),
    'alphaMountain.ai': pick(list, d, 8),
  };
}

export function urlObject(origin: string, id: string, url: string, profile: Profile, lastAnalysisSec: number | null): VtObject {
  const d = seedDigest('url', id, 'attributes');
  const dates = derivedDates('url', id);
  const lastAnalysis = Math.max(lastAnalysisSec ?? 0, dates.lastAnalysis);
  const { stats, threatLabel } = profile;
  const bad = (stats.malicious ?? 0) > 0;
  const code = pick([200, 200, 200, 404, 301, 403], d, 0);
  const body = seedDigest('url', id, 'content');
  const host = hostOf(url);
  const attributes: Record<string, unknown> = {
    last_http_response_content_sha256: body.toString('hex'),
    last_http_response_code: code,
    last_final_url: url,
    tags: [],
    url,
    last_analysis_date: lastAnalysis,
    has_content: false,
    last_submission_date: lastAnalysis,
    threat_names: bad && threatLabel ? [threatLabel] : [],
    last_http_response_headers: {
      date: new Date(lastAnalysis * 1000).toUTCString(),
      'content-type': url.endsWith('.sh') ? 'application/x-sh' : 'text/html; charset=UTF-8',
      connection: 'keep-alive',
      server: pick(['nginx/1.21.4', 'Apache/2.4.41 (Ubuntu)', 'cloudflare', 'LiteSpeed'], d, 4),
    },
    last_http_response_content_length: 200 + (u32(d, 8) % 60_000),
    reputation: reputationOf(stats, d),
    categories: categoriesOf('url', id, bad),
    last_modification_date: dates.lastModification > lastAnalysis ? dates.lastModification : lastAnalysis + 60,
    last_analysis_stats: stats,
    last_analysis_results: analysisResults('url', id, stats, threatLabel, lastAnalysis),
    times_submitted: 1 + (u32(d, 12) % 500),
    first_submission_date: dates.first,
    total_votes: totalVotes(stats, d),
    title: bad ? '' : `${host} - ${pick(WORDS, d, 16)}`,
    tld: tldOf(host),
  };
  return { type: 'url', id, links: { self: `${origin}/api/v3/urls/${id}` }, attributes };
}

/** A TLS certificate as VirusTotal reports it (`last_https_certificate`), valid around `seenSec`. */
function certificate(kind: MockKind, name: string, names: string[], seenSec: number): Record<string, unknown> {
  const day = 86_400;
  const text = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return {
    validity: { not_after: text(seenSec + 60 * day), not_before: text(seenSec - 30 * day) },
    version: 'V3',
    serial_number: seedDigest(kind, name, 'serial').toString('hex').slice(0, 35),
    thumbprint_sha256: seedDigest(kind, name, 'cert').toString('hex'),
    thumbprint: seedDigest(kind, name, 'cert-sha1').toString('hex').slice(0, 40),
    signature_algorithm: 'sha256RSA',
    issuer: { C: 'US', O: "Let's Encrypt", CN: 'R11' },
    subject: { CN: names[0] },
    extensions: { subject_alternative_name: names },
    size: 1290,
  };
}

const COUNTRIES = ['US', 'DE', 'NL', 'RU', 'CN', 'FR', 'GB', 'PA', 'IS'];

/** The raw WHOIS text VirusTotal keeps for a domain (sorted `Key: value` lines, as in the fixtures). */
function domainWhois(domain: string, registrar: string, created: number, ns: string, d: Buffer): string {
  const iso = (sec: number) => new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const expires = created + (1 + (u32(d, 24) % 5)) * 365 * 86_400;
  return [
    `Creation Date: ${iso(created)}`,
    'DNSSEC: unsigned',
    `Domain Name: ${domain.toUpperCase()}`,
    `Name Server: ${ns.toUpperCase()}`,
    `Registrant Country: ${pick(COUNTRIES, d, 28)}`,
    `Registrar: ${registrar}`,
    `Registry Expiry Date: ${iso(expires)}`,
  ].join('\n');
}

const REGISTRARS = ['NameCheap, Inc.', 'GoDaddy.com, LLC', 'Tucows Domains Inc.', 'NameSilo, LLC', 'Gandi SAS', 'REG.RU LLC'];

export function ipFromDigest(d: Buffer, offset: number): string {
  return `${1 + ((d[offset] as number) % 222)}.${d[offset + 1]}.${d[offset + 2]}.${1 + ((d[offset + 3] as number) % 254)}`;
}

export function domainObject(origin: string, domain: string, profile: Profile): VtObject {
  const d = seedDigest('domain', domain, 'attributes');
  const dates = derivedDates('domain', domain);
  const { stats, threatLabel } = profile;
  const bad = (stats.malicious ?? 0) > 0;
  const registrar = pick(REGISTRARS, d, 0);
  const created = dates.first - (u32(d, 4) % (2000 * 86_400));
  const a = ipFromDigest(d, 8);
  const ns = `ns1.${pick(['cloudflare.com', 'digitalocean.com', 'domaincontrol.com'], d, 16)}`;
  const attributes: Record<string, unknown> = {
    last_modification_date: dates.lastModification,
    last_https_certificate_date: dates.lastAnalysis,
    registrar,
    creation_date: created,
    whois_date: dates.lastAnalysis - 3 * 86_400,
    jarm: seedDigest('domain', domain, 'jarm').toString('hex').slice(0, 62),
    tld: tldOf(domain),
    last_dns_records: [
      { type: 'A', ttl: 300 + (u32(d, 12) % 3000), value: a },
      { type: 'NS', ttl: 1800, value: ns },
      {
        type: 'SOA',
        ttl: 1800,
        value: `ns1.${domain}`,
        rname: `hostmaster.${domain}`,
        serial: dates.lastAnalysis,
        refresh: 10_800,
        retry: 3600,
        expire: 604_800,
        minimum: 1800,
      },
      { type: 'MX', ttl: 3600, priority: 10, value: `mx.${domain}` },
    ],
    total_votes: totalVotes(stats, d),
    last_https_certificate: certificate('domain', domain, [domain, `www.${domain}`], dates.lastAnalysis),
    last_analysis_stats: stats,
    last_dns_records_date: dates.lastAnalysis,
    last_update_date: dates.first,
    popularity_ranks: bad ? {} : { 'Cisco Umbrella': { rank: 1000 + (u32(d, 20) % 900_000), timestamp: dates.lastAnalysis } },
    last_analysis_date: dates.lastAnalysis,
    reputation: reputationOf(stats, d),
    tags: [],
    categories: categoriesOf('domain', domain, bad),
    whois: domainWhois(domain, registrar, created, ns, d),
    last_analysis_results: analysisResults('domain', domain, stats, threatLabel, dates.lastAnalysis),
  };
  return { type: 'domain', id: domain, links: { self: `${origin}/api/v3/domains/${domain}` }, attributes };
}


function networkOf(ip: string): string {
  if (ip.includes(':')) {
    const groups = ip.split(':').filter((g) => g !== '');
    return `${groups.slice(0, 2).join(':') || '::'}::/32`;
  }
  const [a, b, c] = ip.split('.');
  return `${a}.${b}.${c}.0/24`;
}

export function ipObject(origin: string, ip: string, profile: Profile): VtObject {
  const d = seedDigest('ip', ip, 'attributes');
  const dates = derivedDates('ip', ip);
  const net = simulatedNetwork(ip);
  const { stats, threatLabel } = profile;
  const network = networkOf(ip);
  const attributes: Record<string, unknown> = {
    regional_internet_registry: net.rir,
    network,
    tags: [],
    country: net.country,
    as_owner: net.name,
    last_analysis_stats: stats,
    asn: net.asn,
    whois_date: dates.lastAnalysis - 86_400,
    reputation: reputationOf(stats, d),
    last_modification_date: dates.lastModification,
    total_votes: totalVotes(stats, d),
    continent: net.continent,
    whois: `NetRange: ${network}\nOrgName: ${net.organization}\nCountry: ${net.country}\n`,
    jarm: seedDigest('ip', ip, 'jarm').toString('hex').slice(0, 62),
    last_https_certificate: certificate('ip', ip, [ip], dates.lastAnalysis),
    last_https_certificate_date: dates.lastAnalysis,
    last_analysis_date: dates.lastAnalysis,
    last_analysis_results: analysisResults('ip', ip, stats, threatLabel, dates.lastAnalysis),
  };
  return { type: 'ip_address', id: ip, links: { self: `${origin}/api/v3/ip_addresses/${ip}` }, attributes };
}
