/**
 * Scans an archive (or any file) as hostile content: each level is opened with a fresh engine in the
 * scan's worker thread (a new thread when one was killed), members are hashed in memory, nested archives are descended up to `maxDepth`, and
 * every member is then looked up by hash (batch priority) and run through the local YARA rules.
 * Limits stop a level while it is being extracted and the scan keeps what was hashed so far.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Verdict } from '../providers/types.js';
import { detectArchive, detectUnsupported, fileType } from './detect.js';
import { pathFindings, safeRelative } from './listing.js';
import { type ArchiveWorker, acquireWorker, releaseWorker } from './run-worker.js';
import {
  type ArchiveFormat,
  type ArchiveLimits,
  type ArchiveScanResult,
  DEFAULT_LIMITS,
  type Finding,
  INFECTED_PASSWORD,
  type MemberResult,
  type YaraMatch,
} from './types.js';

export interface LookupAnswer {
  verdict: Verdict;
  detections: number | null;
}

export interface ArchiveScanDeps {
  /** Looks a sha256 up (the gateway, at batch priority). Absent: members are hashed only. */
  lookup?: (sha256: string) => Promise<LookupAnswer>;
  /** Local YARA rules; free of quota. */
  yara?: (data: Uint8Array) => Promise<YaraMatch[]>;
  /** Uploads an unknown member; only called when the caller opted in. Returns the analysis id. */
  upload?: (data: Uint8Array, name: string) => Promise<string | null>;
}

export interface ArchiveScanOptions {
  /** Tried in order, then `infected`. */
  passwords?: string[];
  limits?: Partial<ArchiveLimits>;
  /** Upload members VirusTotal does not know (off by default: VirusTotal shares uploads with its partners). */
  uploadUnknown?: boolean;
  /** With `uploadUnknown`: upload known members too (upload policy `always`). */
  uploadAll?: boolean;
  /** How many lookups run at once. */
  lookupConcurrency?: number;
}

interface Level {
  data: Uint8Array;
  format: ArchiveFormat;
  name: string;
  /** Display prefix for members: '' at the top, `inner.zip!/` below. */
  prefix: string;
  /** Depth of this level's members. */
  depth: number;
}

interface Arrived {
  path: string;
  attempt: number;
  yara: Promise<YaraMatch[]>;
  nested: Uint8Array | null;
  overBudget: boolean;
  head: Uint8Array;
  upload: Uint8Array | null;
}

interface Kept {
  result: MemberResult;
  data: Uint8Array | null;
}

export function hashAll(data: Uint8Array): { sha256: string; sha1: string; md5: string } {
  return {
    sha256: createHash('sha256').update(data).digest('hex'),
    sha1: createHash('sha1').update(data).digest('hex'),
    md5: createHash('md5').update(data).digest('hex'),
  };
}

function safeName(name: string): string {
  const b = basename(name.replace(/\\/g, '/')).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return (b || 'archive').slice(-100);
}

export async function scanArchiveBuffer(
  data: Uint8Array,
  displayPath: string,
  options: ArchiveScanOptions = {},
  deps: ArchiveScanDeps = {},
): Promise<ArchiveScanResult> {
  const limits: ArchiveLimits = { ...DEFAULT_LIMITS, ...stripUndefined(options.limits ?? {}) };
  const passwords = [...new Set([...(options.passwords ?? []), INFECTED_PASSWORD])];
  const deadline = Date.now() + limits.timeoutMs;
  const format = detectArchive(data);
  let worker: ArchiveWorker | null = format ? acquireWorker() : null;
  // the worker boots on the other core while this thread hashes the input
  const hashes = hashAll(data);
  const findings: Finding[] = [];
  const kept: Kept[] = [];
  let complete = true;
  let produced = 0;
  let entries = 0;
  let waiting = 0;
  let halted = false;
  let uploadHeld = 0;
  let workerClean = true;
  const engine = (): ArchiveWorker => {
    if (worker?.usable) return worker;
    if (worker) releaseWorker(worker, false);
    worker = acquireWorker();
    return worker;
  };

  const visit = async (level: Level): Promise<void> => {
    const at = level.prefix.replace(/!\/$/, '');
    if (halted) return;
    if (Date.now() > deadline) {
      findings.push({ kind: 'limit', limit: 'time', path: at, message: 'scan time limit reached before this level' });
      complete = false;
      return;
    }
    const arrived: Arrived[] = [];
    const outcome = await engine().run(
      {
        data: level.data,
        name: safeName(level.name),
        format: level.format,
        passwords,
        keepAll: Boolean(deps.yara) || Boolean(options.uploadUnknown && deps.upload),
        limits: {
          totalBytes: limits.maxTotalBytes - produced,
          entryBytes: limits.maxEntryBytes,
          entries: limits.maxEntries - entries,
          maxRatio: limits.maxRatio,
          ratioThresholdBytes: limits.ratioThresholdBytes,
          keepBytes: limits.keepBytes,
          deadline,
          archiveSize: level.data.length,
          rootSize: data.length,
          rootBytesBefore: produced,
        },
      },
      (m, attempt) => {
        // YARA runs as members arrive; only nested archives stay in memory, within a budget.
        const yara = deps.yara && m.data ? deps.yara(m.data).catch(() => []) : Promise.resolve([]);
        let nested = m.data && detectArchive(m.data) ? m.data : null;
        let overBudget = false;
        if (nested && waiting + nested.length > limits.keepBytes * 2) {
          nested = null;
          overBudget = true;
        }
        if (nested) waiting += nested.length;
        // Bytes kept for an upload the caller opted into (bounded; beyond it members are looked up only).
        let upload: Uint8Array | null = null;
        if (options.uploadUnknown && deps.upload && m.data && uploadHeld + m.data.length <= limits.keepBytes * 4) {
          upload = m.data;
          uploadHeld += m.data.length;
        }
        arrived.push({ path: m.path, attempt, yara, nested, overBudget, head: m.head, upload });
      },
    );
    if (outcome.killed || outcome.limit) workerClean = false;
    produced += outcome.produced;
    entries += outcome.members.length;
    const links = new Set<string>();
    for (const e of outcome.entries) {
      const where = level.prefix + e.path;
      findings.push(...pathFindings(e.path, where));
      if (e.symlink) {
        links.add(safeRelative(e.path));
        findings.push({ kind: 'symlink', path: where, message: `symbolic link to ${e.symlink}; not followed` });
      }
      if (e.hardlink) {
        links.add(safeRelative(e.path));
        findings.push({ kind: 'hardlink', path: where, message: `hard link to ${e.hardlink}; not followed` });
      }
    }
    if (outcome.openError) {
      complete = false;
      if (outcome.headerEncrypted) findings.push({ kind: 'encrypted', path: at, message: 'archive headers are encrypted and no password given opened them' });
      else findings.push({ kind: 'corrupt', path: at, message: `cannot open as ${level.format}: ${outcome.openError}` });
      return;
    }
    const dropped = new Set<string>();
    for (const e of outcome.errors) {
      const where = level.prefix + e.path;
      if (e.kind === 'password') {
        dropped.add(e.path);
        findings.push({ kind: 'encrypted', path: where, message: 'encrypted; none of the passwords tried opened it' });
      } else if (e.kind === 'crc' && !outcome.passwordOk) {
        dropped.add(e.path);
        findings.push({ kind: 'encrypted', path: where, message: 'encrypted; none of the passwords tried opened it' });
      } else {
        if (e.kind !== 'crc') dropped.add(e.path);
        findings.push({ kind: 'corrupt', path: where, message: `${e.message}${e.kind === 'crc' ? ' (hashed as stored)' : ''}` });
      }
      complete = false;
    }
    for (const msg of outcome.archiveErrors) {
      complete = false;
      findings.push({ kind: 'corrupt', path: at, message: msg });
    }
    if (outcome.killed === 'crash') complete = false;
    if (outcome.limit) {
      complete = false;
      const where = outcome.limit.path ? level.prefix + outcome.limit.path : at;
      findings.push({ kind: 'limit', limit: outcome.limit.limit, path: where, message: outcome.limit.message });
      // A bomb anywhere stops the whole scan: what was hashed so far is kept, nothing more is opened.
      halted = true;
    }
    const byPath = new Map(arrived.filter((a) => a.attempt === outcome.attempt).map((a) => [a.path, a]));
    for (const m of outcome.members) {
      if (dropped.has(m.path) || links.has(m.path)) continue;
      const got = byPath.get(m.path);
      const path = level.prefix + m.path;
      const result: MemberResult = {
        path,
        sha256: m.sha256,
        sha1: m.sha1,
        md5: m.md5,
        size: m.size,
        depth: level.depth,
        type: fileType(got?.nested ?? m.head),
        verdict: 'unknown',
        detections: null,
        yara: got ? await got.yara : [],
      };
      kept.push({ result, data: got?.upload ?? null });
      if (got?.overBudget) {
        complete = false;
        findings.push({ kind: 'limit', limit: 'total_bytes', path, message: 'nested archive not opened: too many nested archive bytes waiting in memory' });
      }
      const inner = got?.nested ? detectArchive(got.nested) : null;
      if (!inner || !got?.nested) continue;
      const bytes = got.nested;
      got.nested = null;
      waiting -= bytes.length;
      if (level.depth + 1 > limits.maxDepth) {
        complete = false;
        findings.push({ kind: 'limit', limit: 'depth', path, message: `nested ${inner} archive deeper than ${limits.maxDepth} levels; hashed, not opened` });
        continue;
      }
      // The level's bytes move to its worker; an upload still to come needs its own copy.
      const own = got.upload === bytes ? bytes.slice() : bytes;
      await visit({ data: own, format: inner, name: m.path, prefix: `${path}!/`, depth: level.depth + 1 });
    }
    for (const a of arrived) if (a.nested) waiting -= a.nested.length;
  };

  const members: MemberResult[] = [];
  if (format) {
    try {
      await visit({ data: new Uint8Array(data), format, name: displayPath, prefix: '', depth: 1 });
    } finally {
      if (worker) releaseWorker(worker, workerClean);
    }
    members.push(...kept.map((k) => k.result));
  } else {
    const unsupported = detectUnsupported(data);
    if (unsupported) findings.push({ kind: 'unsupported_format', path: '', message: `${unsupported} containers are not opened; hashed and looked up as a file` });
    else findings.push({ kind: 'not_an_archive', path: '', message: 'not an archive; hashed and looked up as a file' });
    const self: MemberResult = { path: basename(displayPath), ...hashes, size: data.length, depth: 0, type: fileType(data), verdict: 'unknown', detections: null, yara: [] };
    kept.push({ result: self, data });
    members.push(self);
  }
  const lookupErrors = await enrich(kept, options, deps);
  const result: ArchiveScanResult = { archive: { path: displayPath, sha256: hashes.sha256, size: data.length, format }, members, findings, complete };
  // The archive's own bytes are a scanned file too (a non-archive's matches sit on its one member).
  if (format && deps.yara) result.archive.yara = await deps.yara(data).catch(() => []);
  if (lookupErrors > 0) result.lookupErrors = lookupErrors;
  return result;
}

/** YARA on what was kept in memory, then one lookup per distinct hash, then uploads the caller opted into. */
async function enrich(kept: Kept[], options: ArchiveScanOptions, deps: ArchiveScanDeps): Promise<number> {
  if (deps.yara) {
    for (const k of kept) if (k.data && k.result.depth === 0) k.result.yara = await deps.yara(k.data).catch(() => []);
  }
  if (!deps.lookup) return 0;
  let failed = 0;
  const lookup = deps.lookup;
  const answers = new Map<string, Promise<LookupAnswer>>();
  const distinct = [...new Set(kept.map((k) => k.result.sha256))];
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(options.lookupConcurrency ?? 4, distinct.length)) }, async () => {
    while (next < distinct.length) {
      const h = distinct[next++] as string;
      const p = lookup(h).catch((): LookupAnswer => {
        failed++;
        return { verdict: 'unknown', detections: null };
      });
      answers.set(h, p);
      await p;
    }
  });
  await Promise.all(workers);
  const uploaded = new Set<string>();
  for (const k of kept) {
    const a = await (answers.get(k.result.sha256) as Promise<LookupAnswer>);
    k.result.verdict = a.verdict;
    k.result.detections = a.detections;
    if (options.uploadUnknown && deps.upload && (options.uploadAll || a.verdict === 'not_found') && k.data && !uploaded.has(k.result.sha256)) {
      uploaded.add(k.result.sha256);
      const id = await deps.upload(k.data, basename(k.result.path)).catch(() => null);
      if (id) k.result.analysisId = id;
    }
  }
  return failed;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
