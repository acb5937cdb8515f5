/**
 * The archive-scan contract (`vtg scan archive --json`, `POST /api/scan/archive`, `Gateway.scanArchive`)
 * and its limits. Every byte of an archive is hostile: limits are enforced while extracting.
 */
import type { Verdict } from '../providers/types.js';

export type ArchiveFormat = 'zip' | '7z' | 'rar' | 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'cab' | 'ar';

export type LimitKind = 'ratio' | 'total_bytes' | 'entry_bytes' | 'entries' | 'depth' | 'time';

export type FindingKind =
  | 'path_traversal'
  | 'absolute_path'
  | 'symlink'
  | 'hardlink'
  | 'limit'
  | 'encrypted'
  | 'corrupt'
  | 'not_an_archive'
  | 'unsupported_format';

export interface Finding {
  kind: FindingKind;
  /** Where: the member's path inside the archive (nested levels joined by `!/`), or '' for the archive itself. */
  path: string;
  message: string;
  limit?: LimitKind;
}

export interface YaraMatch {
  rule: string;
  namespace?: string;
  tags: string[];
  meta: Record<string, unknown>;
  /** Offsets (bytes) where the rule's patterns matched. */
  offsets: number[];
}

export interface MemberResult {
  path: string;
  sha256: string;
  sha1: string;
  md5: string;
  size: number;
  /** 1 for a member of the scanned archive, 2 for a member of an archive inside it, ... */
  depth: number;
  /** File type by content (magic bytes): `zip`, `pe`, `elf`, `pdf`, `text`, `data`, ... */
  type: string;
  /** VirusTotal's verdict by hash; `unknown` when not looked up or the lookup failed. */
  verdict: Verdict;
  detections: number | null;
  yara: YaraMatch[];
  /** Set when the member was uploaded under the upload policy. */
  analysisId?: string;
}

export interface ArchiveScanResult {
  /** `yara`: matches on the archive file itself, present when rules are configured. */
  archive: { path: string; sha256: string; size: number; format: ArchiveFormat | null; yara?: YaraMatch[] };
  members: MemberResult[];
  findings: Finding[];
  /** False when a limit, a password or damage kept part of the archive unread. */
  complete: boolean;
  /** Lookups that failed (quota, upstream trouble); those members show verdict `unknown`. */
  lookupErrors?: number;
}

export interface ArchiveLimits {
  /** Uncompressed bytes across the whole scan, nested levels included. Default 1 GiB. */
  maxTotalBytes: number;
  /** Uncompressed bytes of one member. Default 256 MiB. */
  maxEntryBytes: number;
  /** Uncompressed:compressed ratio, checked once `ratioThresholdBytes` have come out. Default 100. */
  maxRatio: number;
  ratioThresholdBytes: number;
  /** Members across the whole scan. Default 10,000. */
  maxEntries: number;
  /** Nesting depth: members of the scanned archive are at depth 1. Default 3. */
  maxDepth: number;
  /** Wall-clock budget for the whole scan. Default 120 s. */
  timeoutMs: number;
  /** A member up to this size is kept in memory for YARA and for descent; larger ones are only hashed. Default 64 MiB. */
  keepBytes: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxTotalBytes: 1024 * 1024 * 1024,
  maxEntryBytes: 256 * 1024 * 1024,
  maxRatio: 100,
  ratioThresholdBytes: 1024 * 1024,
  maxEntries: 10_000,
  maxDepth: 3,
  timeoutMs: 120_000,
  keepBytes: 64 * 1024 * 1024,
};

export const INFECTED_PASSWORD = 'infected';
