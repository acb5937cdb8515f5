/**
 * Hostile-content service on top of the Gateway's public methods only (lookup by hash at batch
 * priority, scanFile for an opted-in upload): archive scans, scan-from-URL and the YARA rules.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { GatewayConfig } from '../config/index.js';
import { type Fetched, fetchUrl, redactUrl } from '../fetch/index.js';
import type { ResolveFn } from '../net/index.js';
import type { Priority } from '../scheduler/index.js';
import { YaraRules } from '../yara/index.js';
import { type ArchiveScanDeps, type ArchiveScanOptions, hashAll, type LookupAnswer, scanArchiveBuffer } from './scanner.js';
import { type ArchiveScanResult, DEFAULT_LIMITS, type YaraMatch } from './types.js';

/** What the service needs from the Gateway (kept small on purpose). */
export interface ContentHost {
  readonly config: GatewayConfig;
  lookup(hash: string, options: { priority?: Priority; tenant?: string; signal?: AbortSignal }): Promise<{ report: { found: boolean; verdict: LookupAnswer['verdict']; detections?: number } }>;
  scanFile(path: string, options: { force?: boolean; priority?: Priority; tenant?: string; filename?: string }): Promise<{ analysisId: string | null }>;
}

/** One file the local rules matched: written to history by the gateway (`vtg history <hash>`). */
export interface YaraSighting {
  sha256: string;
  sha1: string;
  md5: string;
  /** Where it was seen: the scanned file's name, `archive!/member`, or a fetched URL without its query. */
  name: string;
  matches: YaraMatch[];
}

export interface ContentServiceOptions {
  resolve?: ResolveFn;
  /** Records YARA matches as history of the matched file. */
  recordYara?: (sighting: YaraSighting) => Promise<unknown>;
}

export type UploadPolicy = 'never' | 'unknown-only' | 'always';

export interface ContentScanOptions extends ArchiveScanOptions {
  /** Upload policy for this call; default the config's `content.uploads` (`never` unless set). */
  uploads?: UploadPolicy;
  /** Skip the lookups (hash and YARA only). */
  noLookup?: boolean;
  /** What to call the input in the result and in history (default: its path). */
  name?: string;
  tenant?: string;
  signal?: AbortSignal;
}

export class InputError extends Error {
  override name = 'InputError';
  readonly code = 'InvalidFile';
}

/** Largest file read into memory for a scan. */
export const MAX_INPUT_BYTES = 1024 * 1024 * 1024;

export class ContentService {
  #yara: YaraRules | null | undefined;
  readonly #others = new Map<string, ContentService>();

  constructor(
    private readonly host: ContentHost,
    private readonly options: ContentServiceOptions = {},
  ) {}

  /** The same service with other rules (`--yara DIR`), still recording to the same history; one per directory, closed with this one. */
  withRules(yaraDir: string): ContentService {
    let other = this.#others.get(yaraDir);
    if (!other) {
      const config = { ...this.host.config, content: { ...this.host.config.content, yaraDir } };
      other = new ContentService({ config, lookup: (h, o) => this.host.lookup(h, o), scanFile: (p, o) => this.host.scanFile(p, o) }, this.options);
      this.#others.set(yaraDir, other);
    }
    return other;
  }

  /** The configured rules, compiled on first use and watched for changes; null when none are configured. */
  yara(): YaraRules | null {
    if (this.#yara === undefined) {
      const dir = this.host.config.content.yaraDir;
      this.#yara = dir ? YaraRules.load(dir, { watch: true }) : null;
    }
    return this.#yara;
  }

  async scanArchive(input: string | { data: Uint8Array; name: string }, options: ContentScanOptions = {}): Promise<ArchiveScanResult> {
    const got = typeof input === 'string' ? await readInput(input) : input;
    const name = options.name ?? got.name;
    const result = await scanArchiveBuffer(got.data, name, this.#archiveOptions(options), this.#deps(options));
    await this.#record(result, got.data);
    return result;
  }

  /** The rules' matches on one file, recorded in history; null without rules or past `keepBytes` (64 MiB, as for an archive member). */
  async yaraFile(path: string, name: string): Promise<YaraMatch[] | null> {
    const rules = this.yara();
    if (!rules || (await stat(path)).size > DEFAULT_LIMITS.keepBytes) return null;
    const { data } = await readInput(path);
    const matches = await rules.scan(data);
    if (matches.length) await this.options.recordYara?.({ ...hashAll(data), name, matches });
    return matches;
  }

  /** Downloads under the SSRF guard, then scans what came back like any other file. */
  async scanFetch(url: string, options: ContentScanOptions = {}): Promise<ArchiveScanResult & { fetched: Omit<Fetched, 'data'> }> {
    const c = this.host.config.content;
    const got = await fetchUrl(url, { allowlist: c.fetchAllowlist, maxBytes: c.fetchMaxBytes, timeoutMs: c.fetchTimeoutMs, resolve: this.options.resolve, signal: options.signal });
    const result = await scanArchiveBuffer(got.data, got.name, this.#archiveOptions(options), this.#deps(options));
    const { data: _data, ...fetched } = got;
    const named: ArchiveScanResult = { ...result, archive: { ...result.archive, path: redactUrl(got.url) } };
    await this.#record(named, got.data);
    return { ...named, fetched };
  }

  /** One history entry per distinct file a rule matched in this scan (the input itself included). */
  async #record(result: ArchiveScanResult, data: Uint8Array): Promise<void> {
    const record = this.options.recordYara;
    if (!record) return;
    const seen = new Set<string>();
    const sightings: YaraSighting[] = [];
    if (result.archive.yara?.length) {
      sightings.push({ ...hashAll(data), name: result.archive.path, matches: result.archive.yara });
      seen.add(result.archive.sha256);
    }
    for (const m of result.members) {
      if (!m.yara.length || seen.has(m.sha256)) continue;
      seen.add(m.sha256);
      const name = m.depth === 0 ? result.archive.path : `${result.archive.path}!/${m.path}`;
      sightings.push({ sha256: m.sha256, sha1: m.sha1, md5: m.md5, name, matches: m.yara });
    }
    for (const s of sightings) await record(s);
  }

  close(): void {
    for (const other of this.#others.values()) other.close();
    this.#yara?.close();
  }

  #archiveOptions(options: ContentScanOptions): ArchiveScanOptions {
    const policy = options.uploads ?? (options.uploadUnknown ? 'unknown-only' : this.host.config.content.uploads);
    return { ...options, uploadUnknown: policy !== 'never', uploadAll: policy === 'always' };
  }

  #deps(options: ContentScanOptions): ArchiveScanDeps {
    const rules = this.yara();
    const policy = options.uploads ?? (options.uploadUnknown ? 'unknown-only' : this.host.config.content.uploads);
    const deps: ArchiveScanDeps = {};
    if (rules) deps.yara = (d) => rules.scan(d);
    if (!options.noLookup) {
      deps.lookup = async (sha256) => {
        const r = await this.host.lookup(sha256, { priority: 'batch', tenant: options.tenant, signal: options.signal });
        return { verdict: r.report.found ? r.report.verdict : 'not_found', detections: r.report.detections ?? null };
      };
    }
    if (policy !== 'never') {
      deps.upload = async (data, name) => {
        // A private temp area (0700 directory, random file name): the entry's own name never reaches the disk.
        const dir = await mkdtemp(join(tmpdir(), 'vtg-upload-'));
        const file = join(dir, randomBytes(8).toString('hex'));
        try {
          await writeFile(file, data, { mode: 0o600 });
          const r = await this.host.scanFile(file, { force: policy === 'always', priority: 'batch', tenant: options.tenant, filename: basename(name) });
          return r.analysisId;
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      };
    }
    return deps;
  }
}

async function readInput(path: string): Promise<{ data: Buffer; name: string }> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new InputError(`${path} is not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (size > MAX_INPUT_BYTES) throw new InputError(`${path} is ${size} bytes; at most ${MAX_INPUT_BYTES} are scanned`);
  try {
    return { data: await readFile(path), name: path };
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
