import { FILE_ENGINES, URL_ENGINES } from './virustotal/engines.js';
import {
  EICAR_MD5,
  EICAR_SHA1,
  EICAR_SHA256,
  EICAR_STRING,
  deriveFileHashes,
  seedDigest,
  urlIdFromAny,
} from './virustotal/ids.js';
import type { MockKind, MockVerdictStats } from './types.js';

export { EICAR_MD5, EICAR_SHA1, EICAR_SHA256, EICAR_STRING };

/** `last_analysis_stats` keys in the order VirusTotal sends them (fixtures). */
export const FILE_STAT_KEYS = [
  'harmless',
  'type-unsupported',
  'suspicious',
  'confirmed-timeout',
  'timeout',
  'failure',
  'malicious',
  'undetected',
] as const;
export const OTHER_STAT_KEYS = ['harmless', 'malicious', 'suspicious', 'undetected', 'timeout'] as const;

export const DEFAULT_NOT_FOUND_SHARE = 0.2;

/** The simulator's deterministic answer for one indicator (before any setVerdict override). */
export interface MockVerdict {
  kind: MockKind;
  /** Canonical id: sha256 for files and URLs, the lower-cased domain, the IP. */
  id: string;
  /** Whether a lookup finds it (uploaded files and submitted URLs are always found). */
  found: boolean;
  /** `last_analysis_stats` as served (8 keys for files, 5 otherwise); for a not-found indicator, what it gets once uploaded or submitted. */
  stats: Record<string, number>;
  malicious: number;
  suspicious: number;
  harmless: number;
  undetected: number;
  timeout: number;
  /** `popular_threat_classification.suggested_threat_label` for malicious files; a threat name otherwise; null when clean. */
  threatLabel: string | null;
}

export const EICAR_STATS: Record<string, number> = {
  harmless: 0,
  'type-unsupported': 9,
  suspicious: 0,
  'confirmed-timeout': 0,
  timeout: 0,
  failure: 0,
  malicious: 62,
  undetected: 2,
};
export const EICAR_THREAT_LABEL = 'virus.eicar/test';

const FILE_THREATS = [
  'trojan.mirai/gafgyt',
  'trojan.gafgyt/mirai',
  'miner.xmrig/coinminer',
  'trojan.tsunami/kaiten',
  'ransomware.wannacry/wannacryptor',
  'trojan.emotet/emotetcrypt',
  'virus.hill/w97m',
  'trojan.agenttesla/negasteal',
  'downloader.shell/mirai',
  'backdoor.xorddos/ddos',
] as const;
const URL_THREATS = ['C2/Generic-A', 'Mal/HTMLGen-A', 'Troj/Agent-BXYZ', 'Phish/Generic-B', 'Mal/Mirai-B'] as const;

export function statKeys(kind: MockKind): readonly string[] {
  return kind === 'file' ? FILE_STAT_KEYS : OTHER_STAT_KEYS;
}

export function engineCount(kind: MockKind): number {
  return kind === 'file' ? FILE_ENGINES.length : URL_ENGINES.length;
}

/** Full stats from a partial set: missing keys are 0 and `undetected` (unless given) fills up to the engine count. */
export function completeStats(kind: MockKind, partial: MockVerdictStats): Record<string, number> {
  const keys = statKeys(kind);
  const stats: Record<string, number> = {};
  for (const k of keys) {
    const v = partial[k];
    stats[k] = typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
  }
  if (partial.undetected === undefined) {
    const others = keys.reduce((sum, k) => (k === 'undetected' ? sum : sum + (stats[k] as number)), 0);
    stats.undetected = Math.max(0, engineCount(kind) - others);
  }
  return stats;
}

/** The canonical id of an indicator as the simulator keys it, or null when it is not one. */
export function canonicalId(kind: MockKind, id: string): string | null {
  if (kind === 'file') return deriveFileHashes(id)?.sha256 ?? null;
  if (kind === 'url') return urlIdFromAny(id)?.id ?? null;
  if (kind === 'domain') return id.trim().toLowerCase().replace(/\.$/, '') || null;
  return id.trim().toLowerCase() || null;
}

/** Deterministic stats and threat label of a canonical id (whether or not it is found). */
export function derivedProfile(kind: MockKind, id: string): { stats: Record<string, number>; threatLabel: string | null } {
  if (kind === 'file' && id === EICAR_SHA256) return { stats: { ...EICAR_STATS }, threatLabel: EICAR_THREAT_LABEL };
  const d = seedDigest(kind, id, 'verdict');
  const band = (d[2] as number) / 256;
  const cls = band < 0.7 ? 'clean' : band < 0.82 ? 'suspicious' : 'malicious';
  const partial: MockVerdictStats = {};
  if (kind === 'file') {
    partial['type-unsupported'] = (d[3] as number) % 12;
    partial.timeout = (d[4] as number) % 8 === 0 ? 1 : 0;
    partial.failure = (d[5] as number) % 10 === 0 ? 1 : 0;
    if (cls === 'suspicious') partial.suspicious = 1 + ((d[6] as number) % 3);
    if (cls === 'malicious') {
      partial.malicious = 5 + ((d[7] as number) % 50);
      partial.suspicious = (d[6] as number) % 2;
    }
  } else {
    partial.harmless = 60 + ((d[8] as number) % 15);
    if (cls === 'suspicious') partial.suspicious = 1 + ((d[6] as number) % 2);
    if (cls === 'malicious') {
      partial.malicious = 2 + ((d[7] as number) % 15);
      partial.suspicious = (d[6] as number) % 2;
    }
  }
  return { stats: completeStats(kind, partial), threatLabel: threatLabelFor(kind, id, (partial.malicious ?? 0) > 0) };
}

export function threatLabelFor(kind: MockKind, id: string, malicious: boolean): string | null {
  if (!malicious) return null;
  if (kind === 'file' && id === EICAR_SHA256) return EICAR_THREAT_LABEL;
  const d = seedDigest(kind, id, 'threat');
  const list: readonly string[] = kind === 'file' ? FILE_THREATS : URL_THREATS;
  return list[(d[0] as number) % list.length] as string;
}

/** Whether a never-uploaded file hash or never-submitted URL id is known (domains and IPs always are). */
export function derivedFound(kind: MockKind, id: string, notFoundShare: number): boolean {
  if (kind === 'domain' || kind === 'ip') return true;
  if (kind === 'file' && id === EICAR_SHA256) return true;
  const d = seedDigest(kind, id, 'found');
  return d.readUInt16BE(0) / 65536 >= notFoundShare;
}

/**
 * The simulator's deterministic verdict for an indicator, so tests can predict answers: a file by
 * md5, sha1 or sha256; a URL as text, unpadded base64url id or sha256; a domain; an IP.
 * setVerdict overrides and uploaded content (content holding the EICAR string is malicious) are not reflected.
 */
export function mockVerdict(kind: MockKind, id: string, options: { notFoundShare?: number } = {}): MockVerdict {
  const canonical = canonicalId(kind, id);
  if (!canonical) throw new RangeError(`not a ${kind} indicator the simulator understands: ${JSON.stringify(id)}`);
  const { stats, threatLabel } = derivedProfile(kind, canonical);
  return {
    kind,
    id: canonical,
    found: derivedFound(kind, canonical, options.notFoundShare ?? DEFAULT_NOT_FOUND_SHARE),
    stats,
    malicious: stats.malicious ?? 0,
    suspicious: stats.suspicious ?? 0,
    harmless: stats.harmless ?? 0,
    undetected: stats.undetected ?? 0,
    timeout: stats.timeout ?? 0,
    threatLabel,
  };
}

/** Known file samples for tests (each has a test proving its verdict): found with 0 malicious / 0 suspicious. */
export const CLEAN_SHA256 = 'd8ad7244cb1cf360bfd64a2435c50157fc12fb407c05c6718c3d9bf6125edd7c';
/** Found, 0 malicious, at least 1 suspicious. */
export const SUSPICIOUS_SHA256 = '8accaea0a72a5524fc2ba9b0f1ef667ed4a0e34fb8c391708fb3192098621e89';
/** Found, malicious (18 engines), threat label virus.hill/w97m. */
export const MALICIOUS_SHA256 = 'b89dff63b823657c54e6fa47c988b87f86386dbd8575ebfb48c7fe76b9654699';
/** Answered 404 NotFoundError with the default notFoundShare (0.2). */
export const NOT_FOUND_SHA256 = '8219df6ea170b2a62a0585c30d58bbf9393f516d90035e681efd7946fe400c88';
