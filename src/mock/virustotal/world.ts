import { randomBytes } from 'node:crypto';
import type { UploadedFile } from '../multipart.js';
import type { MockKind, MockVerdictStats } from '../types.js';
import {
  EICAR_STATS,
  EICAR_THREAT_LABEL,
  canonicalId,
  completeStats,
  derivedFound,
  derivedProfile,
  threatLabelFor,
} from '../verdicts.js';
import { type FileType, typeFromMagic } from './file-types.js';
import { type FileHashes, deriveFileHashes, resolveUrlId, canonicalUrl, sha256Hex, parseAnalysisId } from './ids.js';

/** A file the simulator knows: by hash only (derived) or uploaded (real hashes, size and type). */
export interface FileRecord {
  hashes: FileHashes;
  size: number | null;
  type: FileType | null;
  filename: string | null;
  /** Unix seconds of the first upload to this simulator. */
  uploadedAt: number | null;
  /** Uploaded content holding the EICAR string. */
  eicarContent: boolean;
  /** Whether VirusTotal "knew" the sample before it was uploaded here (else it is first seen at the upload). */
  knownBeforeUpload: boolean;
}

export interface Profile {
  found: boolean;
  stats: Record<string, number>;
  threatLabel: string | null;
}

export interface AnalysisRecord {
  id: string;
  kind: 'file' | 'url';
  /** sha256 of the file, or the URL id. */
  itemId: string;
  /** Clock ms when the analysis was created; its status follows from the analysis steps. */
  createdMs: number;
  /** Unix seconds shown as `date`. */
  date: number;
}

export interface AnalysisSteps {
  queuedMs: number;
  inProgressMs: number;
}

export type AnalysisStatus = 'queued' | 'in-progress' | 'completed';

/** A Map that forgets its oldest entries past a size, so a long benchmark cannot grow memory without bound. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly limit: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.limit) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

const UPLOAD_TOKEN_TTL_MS = 3_600_000;

/** Everything the VirusTotal simulator remembers: known files and URLs, verdict overrides, analyses, upload URLs. */
export class VtWorld {
  /** Alias (md5, sha1, sha256) -> file, for samples known only by a hash. */
  readonly #derivedFiles = new BoundedMap<string, FileRecord>(200_000);
  /** Alias -> uploaded file (kept for the server's lifetime). */
  readonly #uploadedFiles = new Map<string, FileRecord>();
  /** URL id -> URL text, learnt from base64 ids and submissions. */
  readonly #urlTexts = new BoundedMap<string, string>(200_000);
  readonly #submittedUrls = new Set<string>();
  readonly #overrides = new Map<string, MockVerdictStats | 'not_found'>();
  readonly #analyses = new BoundedMap<string, AnalysisRecord>(100_000);
  /** `${kind}:${itemId}` -> creation ms and date of its analyses (the last few). */
  readonly #itemAnalyses = new BoundedMap<string, Array<{ createdMs: number; date: number }>>(100_000);
  readonly #uploadTokens = new BoundedMap<string, { key: string; createdMs: number; used: boolean }>(10_000);

  constructor(
    readonly notFoundShare: number,
    readonly steps: AnalysisSteps,
  ) {}

  // ---- files

  /** The file known by this md5, sha1 or sha256, or null when `id` is not a hash. */
  file(id: string): FileRecord | null {
    const alias = id.toLowerCase();
    const known = this.#uploadedFiles.get(alias) ?? this.#derivedFiles.get(alias);
    // A sample looked up by hash before it was uploaded: the upload's record wins.
    if (known) return this.#uploadedFiles.get(known.hashes.sha256) ?? known;
    const hashes = deriveFileHashes(alias);
    if (!hashes) return null;
    const byCanonical = this.#uploadedFiles.get(hashes.sha256) ?? this.#derivedFiles.get(hashes.sha256);
    if (byCanonical) return byCanonical;
    const record: FileRecord = {
      hashes,
      size: null,
      type: null,
      filename: null,
      uploadedAt: null,
      eicarContent: false,
      knownBeforeUpload: true,
    };
    for (const h of new Set([alias, hashes.sha256, hashes.sha1, hashes.md5])) this.#derivedFiles.set(h, record);
    return record;
  }

  registerUpload(upload: UploadedFile, nowSec: number): FileRecord {
    const existing = this.#uploadedFiles.get(upload.sha256);
    if (existing) {
      if (upload.filename && existing.filename === null) existing.filename = upload.filename;
      return existing;
    }
    const record: FileRecord = {
      hashes: { sha256: upload.sha256, sha1: upload.sha1, md5: upload.md5 },
      size: upload.size,
      type: typeFromMagic(upload.head),
      filename: upload.filename,
      uploadedAt: nowSec,
      eicarContent: upload.hasMarker,
      // Content is new to VirusTotal unless a lookup here already found its hash (random bytes or
      // "hello world" are not samples VirusTotal has seen).
      knownBeforeUpload: this.#derivedFiles.has(upload.sha256) && derivedFound('file', upload.sha256, this.notFoundShare),
    };
    for (const h of [upload.sha256, upload.sha1, upload.md5]) {
      this.#uploadedFiles.set(h, record);
      this.#derivedFiles.delete(h);
    }
    return record;
  }

  fileProfile(record: FileRecord): Profile {
    const id = record.hashes.sha256;
    const override = this.#overrides.get(`file:${id}`);
    if (override === 'not_found') return { found: false, ...derivedProfile('file', id) };
    const found = record.uploadedAt !== null || derivedFound('file', id, this.notFoundShare);
    if (override) return { found: true, ...this.#overrideProfile('file', id, override) };
    if (record.eicarContent) return { found, stats: { ...EICAR_STATS }, threatLabel: EICAR_THREAT_LABEL };
    // new content: every engine undetected (type-unsupported as derived), no threat label
    if (record.uploadedAt !== null && !record.knownBeforeUpload) return { found, stats: newUploadStats(derivedProfile('file', id).stats), threatLabel: null };
    return { found, ...derivedProfile('file', id) };
  }

  // ---- URLs

  /** Resolves a `/urls/{id}` path id (sha256 or unpadded base64url) and remembers the URL text. */
  resolveUrl(pathId: string): { id: string; url: string | null } | null {
    const resolved = resolveUrlId(pathId);
    if (!resolved) return null;
    if (resolved.url) this.#urlTexts.set(resolved.id, resolved.url);
    return { id: resolved.id, url: resolved.url ?? this.#urlTexts.get(resolved.id) ?? null };
  }

  urlText(id: string): string | null {
    return this.#urlTexts.get(id) ?? null;
  }

  submitUrl(url: string): { id: string; url: string } {
    const canonical = canonicalUrl(url);
    const id = sha256Hex(canonical);
    this.#urlTexts.set(id, canonical);
    this.#submittedUrls.add(id);
    return { id, url: canonical };
  }

  /** Profile of a URL, domain or IP by canonical id. */
  profile(kind: Exclude<MockKind, 'file'>, id: string): Profile {
    const override = this.#overrides.get(`${kind}:${id}`);
    if (override === 'not_found') return { found: false, ...derivedProfile(kind, id) };
    if (override) return { found: true, ...this.#overrideProfile(kind, id, override) };
    const found = (kind === 'url' && this.#submittedUrls.has(id)) || derivedFound(kind, id, this.notFoundShare);
    return { found, ...derivedProfile(kind, id) };
  }

  // ---- verdict overrides

  setVerdict(kind: MockKind, id: string, stats: MockVerdictStats | 'not_found'): void {
    let canonical: string | null;
    if (kind === 'file') canonical = this.file(id)?.hashes.sha256 ?? null;
    else canonical = canonicalId(kind, id);
    if (!canonical) throw new RangeError(`setVerdict: not a ${kind} indicator: ${JSON.stringify(id)}`);
    if (kind === 'url' && /[:/.]/.test(id)) this.#rememberUrlText(id);
    this.#overrides.set(`${kind}:${canonical}`, stats === 'not_found' ? 'not_found' : { ...stats });
  }

  #rememberUrlText(url: string): void {
    const canonical = canonicalUrl(url);
    this.#urlTexts.set(sha256Hex(canonical), canonical);
  }

  #overrideProfile(kind: MockKind, id: string, stats: MockVerdictStats): Omit<Profile, 'found'> {
    const complete = completeStats(kind, stats);
    return { stats: complete, threatLabel: threatLabelFor(kind, id, (complete.malicious ?? 0) > 0) };
  }

  // ---- analyses

  addAnalysis(record: AnalysisRecord): void {
    this.#analyses.set(record.id, record);
    const key = `${record.kind}:${record.itemId}`;
    const list = this.#itemAnalyses.get(key) ?? [];
    list.push({ createdMs: record.createdMs, date: record.date });
    if (list.length > 20) list.splice(0, list.length - 20);
    this.#itemAnalyses.set(key, list);
  }

  /** A registered analysis, or one rebuilt from a self-describing id (f-/u-/base64 md5 forms). */
  analysis(id: string): AnalysisRecord | null {
    const known = this.#analyses.get(id);
    if (known) return known;
    const ref = parseAnalysisId(id);
    if (!ref) return null;
    if (ref.kind === 'url') return { id, kind: 'url', itemId: ref.urlId, createdMs: ref.date * 1000, date: ref.date };
    // An md5 names no file by itself: only one this simulator has seen (an upload, a lookup) is
    // known; another process's upload is unknown, never a file guessed from the md5.
    const file = ref.kind === 'file-md5' ? (this.#uploadedFiles.get(ref.md5) ?? this.#derivedFiles.get(ref.md5) ?? null) : this.file(ref.sha256);
    if (!file) return null;
    return { id, kind: 'file', itemId: file.hashes.sha256, createdMs: ref.date * 1000, date: ref.date };
  }

  status(record: AnalysisRecord, nowMs: number): AnalysisStatus {
    const elapsed = nowMs - record.createdMs;
    if (elapsed < this.steps.queuedMs) return 'queued';
    if (elapsed < this.steps.queuedMs + this.steps.inProgressMs) return 'in-progress';
    return 'completed';
  }

  /** Unix seconds of the item's latest completed analysis on this simulator, if any. */
  lastCompletedAnalysis(kind: 'file' | 'url', itemId: string, nowMs: number): number | null {
    const list = this.#itemAnalyses.get(`${kind}:${itemId}`);
    if (!list) return null;
    let latest: number | null = null;
    const done = this.steps.queuedMs + this.steps.inProgressMs;
    for (const a of list) {
      if (nowMs - a.createdMs >= done && (latest === null || a.date > latest)) latest = a.date;
    }
    return latest;
  }

  // ---- upload URLs

  issueUploadToken(key: string, nowMs: number): string {
    const token = `${randomBytes(18).toString('base64url')}`;
    this.#uploadTokens.set(token, { key, createdMs: nowMs, used: false });
    return token;
  }

  /** Marks a one-time upload token used; says why it cannot be used otherwise. */
  takeUploadToken(token: string, nowMs: number): { ok: true; key: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' } {
    const entry = this.#uploadTokens.get(token);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.used) return { ok: false, reason: 'used' };
    if (nowMs - entry.createdMs > UPLOAD_TOKEN_TTL_MS) return { ok: false, reason: 'expired' };
    entry.used = true;
    return { ok: true, key: entry.key };
  }
}

/** Stats of content first seen at its upload: nothing detects it. */
function newUploadStats(derived: Record<string, number>): Record<string, number> {
  const total = Object.values(derived).reduce((a, b) => a + b, 0);
  const unsupported = derived['type-unsupported'] ?? 0;
  const out: Record<string, number> = {};
  for (const k of Object.keys(derived)) out[k] = 0;
  out['type-unsupported'] = unsupported;
  out.undetected = total - unsupported;
  return out;
}
