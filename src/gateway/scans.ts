/**
 * Scans (uploads, URL submissions, rescans) and analyses. Hash first: a file VirusTotal already
 * knows is answered from its report without an upload. Analysis polls go upstream sparingly
 * (at most one per poll interval per analysis, shared by every caller); callers poll the gateway freely.
 */
import { createHash } from 'node:crypto';
// fs.promises on first use: loading node:fs/promises (and the readline and stream code it pulls in)
// costs every command start-up time, a cached lookup never reads a file with it
import { createReadStream, promises as fsp } from 'node:fs';
import { basename } from 'node:path';
import { parseIndicator } from '../indicators/index.js';
import type { VirusTotalClient, VtAnalysisResponse } from '../providers/virustotal/index.js';
import { DIRECT_UPLOAD_LIMIT, MAX_UPLOAD_SIZE } from '../providers/virustotal/sizes.js';
import type { Priority } from '../scheduler/index.js';
import { ProviderUnavailableError } from './errors.js';
import type { GatewayEventBus } from './events.js';
import type { LookupService } from './lookups.js';
import type { AnalysisView, LookupResult, ScanFileOptions, ScanResult } from './types.js';
import { withoutLoopbackLinks } from './simulator.js';
import type { Upstream } from './upstreams.js';

interface RunOptions {
  priority?: Priority;
  tenant?: string;
  signal?: AbortSignal;
}

export class FileScanError extends Error {
  override name = 'FileScanError';
  readonly code = 'InvalidFile';
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Tracked {
  view: AnalysisView;
  /** What the analysis is about, for the item lookup and cache invalidation. */
  item?: { kind: 'file' | 'url'; value: string };
}

export class ScanService {
  readonly #analyses = new Map<string, Tracked>();

  constructor(
    private readonly lookups: LookupService,
    /** VirusTotal's client, loaded on the first upload or poll. */
    private readonly client: () => Promise<VirusTotalClient>,
    private readonly upstream: Upstream,
    private readonly events: GatewayEventBus,
    private readonly analysisPollMs: number,
    /** Mock mode: analyses run on the built-in simulator, and say so. */
    private readonly simulated = false,
  ) {}

  get #scheduler() {
    const s = this.upstream.scheduler;
    if (!s) throw new ProviderUnavailableError('VirusTotal is not configured');
    return s;
  }

  async scanFile(path: string, options: ScanFileOptions): Promise<ScanResult> {
    let size: number;
    try {
      const st = await fsp.stat(path);
      if (!st.isFile()) throw new FileScanError(`${path} is not a regular file`);
      size = st.size;
    } catch (err) {
      if (err instanceof FileScanError) throw err;
      throw new FileScanError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (size > MAX_UPLOAD_SIZE) throw new FileScanError(`${path} is ${size} bytes; VirusTotal accepts at most ${MAX_UPLOAD_SIZE}`);
    const sha256 = await sha256File(path, options.signal);
    if (options.upload === false) {
      const known = await this.lookups.lookup(sha256, { priority: options.priority, tenant: options.tenant, signal: options.signal });
      return { target: sha256, kind: 'file', submitted: false, analysisId: null, report: known };
    }
    if (!options.force) {
      try {
        const known = await this.lookups.lookup(sha256, { priority: options.priority, tenant: options.tenant, signal: options.signal });
        if (known.report.found) return { target: sha256, kind: 'file', submitted: false, analysisId: null, report: known };
      } catch (err) {
        if (options.signal?.aborted) throw err;
        // An unknown or unreachable report is no reason not to upload.
      }
    }
    const descriptor = await this.#scheduler.run(
      async ({ permit, signal }) =>
        (await this.client()).scanFile(path, { password: options.password, filename: options.filename ?? basename(path) }, { permit, signal }),
      {
        key: `virustotal:upload:${sha256}`,
        priority: options.priority ?? 'interactive',
        tenant: options.tenant,
        signal: options.signal,
        kind: size >= DIRECT_UPLOAD_LIMIT ? 'upload_url' : 'upload',
      },
    );
    await this.lookups.invalidate({ provider: 'virustotal', kind: 'file', id: sha256 });
    this.#track(descriptor.id, { kind: 'file', value: sha256 });
    return { target: sha256, kind: 'file', submitted: true, analysisId: descriptor.id };
  }

  async scanUrl(url: string, options: RunOptions): Promise<ScanResult> {
    const ind = parseIndicator(url);
    if (ind.kind !== 'url') throw new FileScanError(`"${url}" is not a URL`);
    const descriptor = await this.#scheduler.run(async ({ permit, signal }) => (await this.client()).scanUrl(ind.value, { permit, signal }), {
      key: `virustotal:scan_url:${ind.id}`,
      priority: options.priority ?? 'interactive',
      tenant: options.tenant,
      signal: options.signal,
      kind: 'scan_url',
    });
    await this.lookups.invalidate({ provider: 'virustotal', kind: 'url', id: ind.id });
    this.#track(descriptor.id, { kind: 'url', value: ind.value });
    return { target: ind.value, kind: 'url', submitted: true, analysisId: descriptor.id };
  }

  async rescan(input: string, options: RunOptions & { kind?: 'file' | 'url' }): Promise<ScanResult> {
    if (options.kind === 'url' && /^[0-9a-f]{64}$/i.test(input.trim())) {
      // A VirusTotal URL id (sha256 of the URL): rescan it as such.
      const id = input.trim().toLowerCase();
      const descriptor = await this.#scheduler.run(async ({ permit, signal }) => (await this.client()).rescanUrl(id, { permit, signal }), {
        key: `virustotal:rescan:url:${id}`,
        priority: options.priority ?? 'interactive',
        tenant: options.tenant,
        signal: options.signal,
        kind: 'rescan',
      });
      await this.lookups.invalidate({ provider: 'virustotal', kind: 'url', id });
      return { target: id, kind: 'url', submitted: true, analysisId: descriptor.id };
    }
    const ind = parseIndicator(input, options.kind ? { kind: options.kind } : {});
    if (ind.kind !== 'file' && ind.kind !== 'url') throw new FileScanError('only files and URLs can be rescanned');
    const descriptor = await this.#scheduler.run(
      async ({ permit, signal }) => (ind.kind === 'file' ? (await this.client()).rescanFile(ind.id, { permit, signal }) : (await this.client()).rescanUrl(ind.value, { permit, signal })),
      { key: `virustotal:rescan:${ind.kind}:${ind.id}`, priority: options.priority ?? 'interactive', tenant: options.tenant, signal: options.signal, kind: 'rescan' },
    );
    await this.lookups.invalidate({ provider: 'virustotal', kind: ind.kind, id: ind.id });
    this.#track(descriptor.id, { kind: ind.kind, value: ind.kind === 'file' ? ind.id : ind.value });
    return { target: ind.value, kind: ind.kind, submitted: true, analysisId: descriptor.id };
  }

  /** The analysis, polled upstream at most once per poll interval; `waitMs` waits (bounded) for completion. */
  async analysis(id: string, options: { waitMs?: number; signal?: AbortSignal }): Promise<AnalysisView> {
    const view = await this.#analysis(id, options);
    return this.simulated ? { ...view, raw: withoutLoopbackLinks(view.raw), simulated: true } : view;
  }

  async #analysis(id: string, options: { waitMs?: number; signal?: AbortSignal }): Promise<AnalysisView> {
    const clock = this.lookups.clock;
    const pollMs = this.analysisPollMs;
    const deadline = clock.now() + Math.min(Math.max(0, options.waitMs ?? 0), 600_000);
    for (;;) {
      const tracked = this.#analyses.get(id);
      const due = !tracked || clock.now() - tracked.view.polledAt >= pollMs;
      let view = tracked?.view;
      if (!view || (view.status !== 'completed' && due)) view = await this.#poll(id, options.signal);
      if (view.status === 'completed' || clock.now() >= deadline) return view;
      const next = Math.min(deadline, view.polledAt + pollMs);
      await clock.sleep(Math.max(50, next - clock.now()), options.signal);
    }
  }

  async analysisItem(id: string): Promise<LookupResult> {
    let tracked = this.#analyses.get(id);
    if (!tracked?.item) {
      await this.analysis(id, {});
      tracked = this.#analyses.get(id);
    }
    if (!tracked?.item) throw new ProviderUnavailableError(`analysis ${id} does not name its item`);
    return this.lookups.lookup(tracked.item.value, { maxAgeMs: tracked.view.status === 'completed' ? undefined : 0 });
  }

  #track(id: string, item: Tracked['item']): void {
    const existing = this.#analyses.get(id);
    if (existing) existing.item = item;
    else this.#analyses.set(id, { view: { id, status: 'queued', stats: {}, raw: null, polledAt: 0 }, item });
  }

  async #poll(id: string, signal?: AbortSignal): Promise<AnalysisView> {
    const raw = await this.#scheduler.run(async ({ permit, signal: s }) => (await this.client()).getAnalysis(id, { permit, signal: s }), {
      key: `virustotal:analysis:${id}`,
      priority: 'interactive',
      signal,
      kind: 'analysis',
    });
    const view = toView(id, raw, this.lookups.clock.now());
    const before = this.#analyses.get(id);
    const item = before?.item ?? itemOf(raw);
    this.#analyses.set(id, { view, item });
    if (view.status === 'completed' && before?.view.status !== 'completed') {
      if (item) {
        const ind = parseIndicator(item.value, { allowPrivate: true });
        await this.lookups.invalidate({ provider: 'virustotal', kind: ind.kind, id: ind.id });
      }
      this.events.emit('analysis.completed', {
        analysisId: id,
        kind: item?.kind ?? 'file',
        id: item?.value ?? '',
        stats: view.stats,
        at: view.polledAt,
      });
    }
    this.#prune();
    return view;
  }

  /** Keeps the in-memory analysis table bounded. */
  #prune(): void {
    if (this.#analyses.size <= 10_000) return;
    const oldest = [...this.#analyses.entries()].sort((a, b) => a[1].view.polledAt - b[1].view.polledAt).slice(0, 1000);
    for (const [k] of oldest) this.#analyses.delete(k);
  }
}

function toView(id: string, raw: VtAnalysisResponse, now: number): AnalysisView {
  const attrs = (raw.data as { attributes?: { status?: string; stats?: Record<string, number> } }).attributes ?? {};
  const status = attrs.status === 'completed' || attrs.status === 'in-progress' ? attrs.status : 'queued';
  return { id, status, stats: attrs.stats ?? {}, raw, polledAt: now };
}

function itemOf(raw: VtAnalysisResponse): Tracked['item'] {
  const meta = (raw as { meta?: { file_info?: { sha256?: string }; url_info?: { url?: string } } }).meta;
  if (meta?.file_info?.sha256) return { kind: 'file', value: meta.file_info.sha256 };
  if (meta?.url_info?.url) return { kind: 'url', value: meta.url_info.url };
  return undefined;
}
