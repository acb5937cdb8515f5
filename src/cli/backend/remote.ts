/**
 * A running `vtg serve` over its REST API under /api. Bodies are the objects the Gateway methods
 * return; errors are `{error:{code,message}}`. The client token comes from VTG_TOKEN (never argv).
 */
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import type { PruneResult } from '../../cache/index.js';
import type { BatchItem, BatchJob, BatchView, Change, Estimate, HarvestResult, ProviderStatus, WarmResult, ScanResult, Watchlist, WatchlistAddResult, WatchlistView } from '../../gateway/index.js';
import type { CreatedToken, TokenRecord } from '../../gateway/index.js';
import type { ArchiveScanResult } from '../../archives/index.js';
import type { RulesStatus } from '../../yara/index.js';
import { CliFailure, exitCodeForCode } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { pageView } from './relationship-page.js';
import type { Backend, CliContentOptions, CliLookupOptions, FetchScanResult, RelationshipPageView } from './types.js';

const FINISHED = new Set(['completed', 'cancelled', 'failed']);

/** The server scans with its own rules: a local rules directory would silently do nothing. */
function noLocalRules(o: CliContentOptions): void {
  if (o.yaraDir) throw new CliFailure('--yara is for local scans; with --server the server runs its own rules (VTG_YARA_DIR there; see GET /api/yara/rules)', 'UsageError', EXIT.usage);
}

const definedLimits = (o: CliContentOptions) => Object.fromEntries(Object.entries(o.limits ?? {}).filter(([, v]) => v !== undefined));

export interface RemoteOptions {
  server: string;
  token?: string;
  /** Poll interval while following a batch (ms). */
  pollMs?: number;
}

function exitForStatus(status: number, code: string | undefined): number {
  if (status === 401 || status === 403 || status === 429 || status >= 500 || code === 'NotCached') return EXIT.failure;
  if (status === 400 || status === 404 || status === 409 || status === 413 || status === 422) return EXIT.usage;
  return exitCodeForCode(code);
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** How fresh an answer must be and whether to wait for quota: the query both answer routes take. */
function answerQuery(o: CliLookupOptions): Record<string, string | number | boolean | undefined> {
  return {
    priority: o.priority,
    maxAge: o.maxAgeMs === undefined ? undefined : Math.round(o.maxAgeMs / 1000),
    allowStale: o.allowStale === false ? false : undefined,
    wait: o.waitForQuota !== false,
    cacheOnly: o.cacheOnly ? true : undefined,
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function openRemote(options: RemoteOptions): Promise<Backend> {
  let base: URL;
  try {
    base = new URL(options.server);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new CliFailure(`--server ${JSON.stringify(options.server)} is not an http(s) URL`, 'UsageError', EXIT.usage);
  }
  const origin = base.href.replace(/\/+$/, '');
  const pollMs = options.pollMs ?? 500;

  async function call(
    method: string,
    path: string,
    init: { body?: unknown; form?: FormData; signal?: AbortSignal; raw?: boolean; onHeaders?: (h: Headers) => void } = {},
  ): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    // the VirusTotal-compatible surface (/api/v3) takes the token as VT clients send their key
    if (options.token) headers[path.startsWith('/api/v3/') ? 'x-apikey' : 'authorization'] = path.startsWith('/api/v3/') ? options.token : `Bearer ${options.token}`;
    let body: string | FormData | undefined;
    if (init.form) body = init.form;
    else if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    let res: Response;
    try {
      res = await fetch(`${origin}${path}`, { method, headers, body, signal: init.signal ?? null });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new CliFailure(`cannot reach the server at ${origin}${cause ? ` (${cause})` : ''}`, 'ServerUnreachable', EXIT.failure);
    }
    const text = await res.text();
    init.onHeaders?.(res.headers);
    if (!res.ok) {
      let code: string | undefined;
      let message = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
        code = parsed.error?.code;
        message = parsed.error?.message ?? message;
      } catch {
        // not JSON: keep the text
      }
      throw new CliFailure(`server: ${message || res.statusText} (${code ?? 'HTTP'} ${res.status})`, code ?? `HTTP${res.status}`, exitForStatus(res.status, code));
    }
    if (init.raw) return text;
    return text === '' ? undefined : JSON.parse(text);
  }

  const get = <T>(path: string, signal?: AbortSignal) => call('GET', path, { signal }) as Promise<T>;

  const health = await get<{ mock?: boolean }>('/api/health');

  const backend: Backend = {
    kind: 'remote',
    mock: health?.mock === true,
    where: origin,
    lookup: (input, o) =>
      get(
        `/api/lookup${query({
          q: input,
          provider: o.provider,
          ...answerQuery(o),
        })}`,
        o.signal,
      ),
    object: (indicator, o) => {
      const path =
        indicator.kind === 'file'
          ? `/api/files/${indicator.id}`
          : indicator.kind === 'domain'
            ? `/api/domains/${encodeURIComponent(indicator.id)}`
            : indicator.kind === 'ip'
              ? `/api/ip_addresses/${encodeURIComponent(indicator.id)}`
              : indicator.value === indicator.id
                ? `/api/urls/${indicator.id}`
                : '/api/urls';
      return get(
        `${path}${query({
          ...(path === '/api/urls' ? { url: indicator.value } : {}),
          ...answerQuery(o),
        })}`,
        o.signal,
      );
    },
    relationship: async (q) => {
      let source: RelationshipPageView['source'] = 'upstream';
      let fetchedAt = Date.now();
      const body = await call('GET', `/api/v3/${q.collection}/${encodeURIComponent(q.id)}/${q.relationship}${query({ limit: q.limit, cursor: q.cursor })}`, {
        signal: q.signal,
        onHeaders: (h) => {
          const s = h.get('x-vtg-source');
          if (s === 'cache' || s === 'stale') source = s;
          const at = Number(h.get('x-vtg-fetched-at'));
          if (Number.isFinite(at) && at > 0) fetchedAt = at;
        },
      });
      return pageView(200, body, source, fetchedAt);
    },
    estimate: async (inputs, o) => {
      const body = (await call('POST', '/api/batch', { body: { indicators: inputs, dryRun: true, provider: o?.provider, priority: o?.priority } })) as { estimate: Estimate };
      return body.estimate;
    },
    eta: async (provider, calls, priority) => {
      const body = await get<{ etaMs?: number | null }>(`/api/quota${query({ provider, calls: Math.max(0, Math.ceil(calls)), priority })}`);
      // a server from before `calls` answers without an ETA: the progress then shows none
      if (body.etaMs === undefined) throw new CliFailure('the server gives no quota ETA', 'NoEta', EXIT.failure);
      return body.etaMs ?? Number.POSITIVE_INFINITY;
    },
    quota: (provider) => get(`/api/quota${query({ provider })}`),
    providers: async () => (await get<{ providers: ProviderStatus[] }>('/api/providers')).providers,
    history: (input, o) => get(`/api/history${query({ q: input, provider: o.provider, limit: o.limit })}`),
    changes: async (o) => (await get<{ changes: Change[] }>(`/api/history/changes${query({ limit: o.limit, since: o.since })}`)).changes,
    cacheInfo: () => get('/api/cache/info'),
    cacheList: (q) => get(`/api/cache/list${query({ kind: q.kind, provider: q.provider, limit: q.limit, cursor: q.cursor, full: true })}`),
    cacheClear: async (f) => {
      const body = (await call('DELETE', `/api/cache${query({ indicator: f.input, kind: f.kind, provider: f.provider })}`)) as { removed?: number };
      return body?.removed ?? 0;
    },
    cachePrune: () => call('POST', '/api/cache/prune') as Promise<PruneResult>,
    scanFile: async (path, o) => {
      const form = new FormData();
      form.set('file', await openAsBlob(path), o.filename ?? basename(path));
      if (o.password !== undefined) form.set('password', o.password);
      if (o.force) form.set('force', 'true');
      if (o.priority) form.set('priority', o.priority);
      return call('POST', '/api/scan/file', { form, signal: o.signal }) as Promise<ScanResult>;
    },
    scanUrl: (url, o) => call('POST', '/api/scan/url', { body: { url, priority: o.priority }, signal: o.signal }) as Promise<ScanResult>,
    rescan: (indicator, o) => call('POST', '/api/rescan', { body: { indicator, kind: o.kind, priority: o.priority }, signal: o.signal }) as Promise<ScanResult>,
    analysis: (id, o) => get(`/api/analyses/${encodeURIComponent(id)}${query({ wait: o.waitMs === undefined ? undefined : Math.min(60, Math.round(o.waitMs / 1000)) })}`, o.signal),
    analysisItem: (id) => get(`/api/analyses/${encodeURIComponent(id)}/item`),
    scanArchive: async (path, o) => {
      noLocalRules(o);
      let file: Blob;
      try {
        file = await openAsBlob(path);
      } catch (err) {
        throw new CliFailure(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 'InvalidFile', EXIT.usage);
      }
      const form = new FormData();
      form.set('file', file, basename(path));
      if (o.passwords?.length) form.set('password', o.passwords.join('\n'));
      if (o.uploadUnknown) form.set('upload_unknown', 'true');
      if (o.noLookup) form.set('no_lookup', 'true');
      const limits = definedLimits(o);
      if (Object.keys(limits).length) form.set('limits', JSON.stringify(limits));
      const result = (await call('POST', '/api/scan/archive', { form, signal: o.signal })) as ArchiveScanResult;
      // the same output as a local scan: the archive is named as the caller named it
      return { ...result, archive: { ...result.archive, path } };
    },
    scanFetch: async (url, o) => {
      noLocalRules(o);
      const limits = definedLimits(o);
      const body = { url, passwords: o.passwords ?? [], upload_unknown: o.uploadUnknown === true, no_lookup: o.noLookup === true, ...(Object.keys(limits).length ? { limits } : {}) };
      return call('POST', '/api/scan/file-url', { body, signal: o.signal }) as Promise<FetchScanResult>;
    },
    yaraRules: async (yaraDir) => {
      noLocalRules({ yaraDir });
      return get<RulesStatus>('/api/yara/rules');
    },
    createBatch: async (inputs, o) => {
      const body = (await call('POST', '/api/batch', { body: { indicators: inputs, priority: o.priority, budget: o.budget ?? undefined, provider: o.provider } })) as { job: BatchJob };
      return body.job;
    },
    batch: async (id) => {
      try {
        return await get<BatchView>(`/api/batch/${encodeURIComponent(id)}`);
      } catch (err) {
        if (err instanceof CliFailure && err.exitCode === EXIT.usage) return undefined;
        throw err;
      }
    },
    listBatches: async (limit) => (await get<{ jobs: BatchJob[] }>(`/api/batch${query({ limit })}`)).jobs,
    batchResults: async (id, o = {}) => {
      const text = (await call('GET', `/api/batch/${encodeURIComponent(id)}/results${query({ after: o.afterSeq })}`, { raw: true })) as string;
      const items: BatchItem[] = [];
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        items.push(JSON.parse(line) as BatchItem);
        if (o.limit !== undefined && items.length >= o.limit) break;
      }
      return items;
    },
    runBatch: async (id, o) => {
      for (;;) {
        const view = await backend.batch(id);
        if (!view) throw new CliFailure(`no batch with id ${id}`, 'BatchNotFound', EXIT.usage);
        if (FINISHED.has(view.job.status) || o.signal?.aborted) return view.job;
        await sleep(pollMs, o.signal);
      }
    },
    cancelBatch: async (id) => {
      const body = (await call('DELETE', `/api/batch/${encodeURIComponent(id)}`)) as { cancelled?: boolean };
      return body?.cancelled === true;
    },
    enrich: (input, o) =>
      get(`/api/enrich/${encodeURIComponent(input)}${query({ providers: o.providers?.join(','), priority: o.priority, cacheOnly: o.cacheOnly ? true : undefined })}`, o.signal),
    health: () => get('/api/health'),
    createToken: (t) => call('POST', '/api/tokens', { body: t }) as Promise<CreatedToken>,
    listTokens: async () => (await get<{ tokens: TokenRecord[] }>('/api/tokens')).tokens,
    updateToken: async (idOrName, changes) => {
      try {
        return (await call('PATCH', `/api/tokens/${encodeURIComponent(idOrName)}`, { body: changes })) as TokenRecord;
      } catch (err) {
        if (err instanceof CliFailure && err.code === 'NotFound') return undefined;
        throw err;
      }
    },
    revokeToken: async (idOrName) => {
      try {
        await call('DELETE', `/api/tokens/${encodeURIComponent(idOrName)}`);
        return true;
      } catch (err) {
        if (err instanceof CliFailure && err.exitCode === EXIT.usage) return false;
        throw err;
      }
    },
    watchlistAdd: (name, inputs, o) =>
      call('POST', '/api/watchlists', { body: { name, indicators: inputs, ...(o.everyMs ? { everyMs: o.everyMs } : {}) } }) as Promise<WatchlistAddResult>,
    watchlists: async () => (await get<{ watchlists: Watchlist[] }>('/api/watchlists')).watchlists,
    watchlist: async (name) => {
      try {
        return await get<WatchlistView>(`/api/watchlists/${encodeURIComponent(name)}`);
      } catch (err) {
        if (err instanceof CliFailure && err.exitCode === EXIT.usage) return undefined;
        throw err;
      }
    },
    watchlistRemove: async (name) => ((await call('DELETE', `/api/watchlists/${encodeURIComponent(name)}`)) as { deleted?: boolean })?.deleted === true,
    forecast: () => get('/api/quota/forecast'),
    cacheWarm: (inputs) => call('POST', '/api/cache/warm', { body: { indicators: inputs } }) as Promise<WarmResult>,
    refresh: (o) => call('POST', '/api/refresh', { body: { budget: o.budget, dryRun: o.dryRun === true } }) as Promise<HarvestResult>,
    close: async () => {},
  };
  return backend;
}
