/**
 * Typed VirusTotal v3 client. Stateless apart from its connection pool: one HTTP request per
 * upstream call, each preceded by `await options.permit(kind)` (the quota governor's hook).
 */
import { basename } from 'node:path';
import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import type { z } from 'zod';
import { parseIndicator } from '../../indicators/index.js';
import type { CallKind, RequestOptions } from '../types.js';
import { errorFromResponse, scrubError, VtFileTooLargeError, VtResponseError } from './errors.js';
import { multipartFromFile } from './multipart.js';
import { proxyFromEnv, proxySecrets } from './proxy.js';
import { type Answer, exchange, type TransportConfig } from './transport.js';
import { type ApiUsage, analysisDescriptorSchema, analysisResponseSchema, apiUsageSchema, collectionSchema, objectEnvelopeSchema, type OverallQuotas, uploadUrlSchema, type VtAnalysisDescriptor, type VtAnalysisResponse, type VtCollection, type VtObject } from './types.js';
import { DEFAULT_USER_AGENT } from './version.js';
import { API_PREFIX, type ApiUsageOptions, abortReason, type Call, type CollectionParams, checkedAbsoluteUrl, checkedPath, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, DIRECT_UPLOAD_LIMIT, EXPECTED_TYPES, type IterateParams, MAX_UPLOAD_SIZE, quotaWindow, type RawAnswer, type RawInit, redact, type ScanFileParams, segment, shaped, type VirusTotalClientOptions } from './client-support.js';

export { type ApiUsageOptions, type CollectionParams, DEFAULT_TIMEOUT_MS, DIRECT_UPLOAD_LIMIT, type IterateParams, MAX_UPLOAD_SIZE, type RawAnswer, type RawInit, type ScanFileParams, type VirusTotalClientOptions } from './client-support.js';

export class VirusTotalClient {
  /** Origin (and optional path prefix) of the API, without /api/v3. */
  readonly baseUrl: string;
  readonly #apiRoot: string;
  readonly #apiKey: string;
  readonly #poolKeys: ReadonlyMap<string, string>;
  readonly #userAgent: string;
  readonly #transport: TransportConfig;
  readonly #trustedHost: string;

  constructor(options: VirusTotalClientOptions) {
    const key = typeof options?.apiKey === 'string' ? options.apiKey.trim() : '';
    if (key === '') {
      throw new TypeError('VirusTotal API key is missing: set VT_API_KEY (or VIRUSTOTAL_API_KEY), or run without a key to use the simulator');
    }
    const pool = Object.entries(options.poolKeys ?? {}).map(([id, secret]) => [id, secret.trim()] as const);
    for (const k of [key, ...pool.map(([, secret]) => secret)]) {
      if (!/^[\x21-\x7e]+$/.test(k)) throw new TypeError('VirusTotal API key contains characters that cannot be sent in a header');
    }
    this.#apiKey = key;
    this.#poolKeys = new Map(pool);

    const base = options.baseUrl ?? DEFAULT_BASE_URL;
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw new TypeError('VirusTotal base URL is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('VirusTotal base URL must be http or https');
    const prefix = url.pathname.replace(/\/+$/, '').replace(/\/api\/v3$/, '');
    this.baseUrl = `${url.origin}${prefix}`;
    this.#apiRoot = `${this.baseUrl}${API_PREFIX}`;
    this.#trustedHost = url.hostname.toLowerCase();

    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError('timeoutMs must be a positive number');
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;

    const proxy = options.proxy ?? (options.env ? proxyFromEnv(url, options.env) : undefined);
    let dispatcher: Dispatcher;
    try {
      dispatcher = proxy ? new ProxyAgent({ uri: proxy }) : new Agent({ keepAliveTimeout: 10_000 });
    } catch {
      // undici's and URL's own errors quote the proxy URL, which can hold credentials
      throw new TypeError('proxy URL is not valid');
    }
    this.#transport = { dispatcher, timeoutMs, secrets: [key, ...this.#poolKeys.values(), ...proxySecrets(proxy)] };
  }

  // ---- objects ----

  /** GET /files/{md5|sha1|sha256}. */
  async getFile(hash: string, o?: RequestOptions): Promise<VtObject> {
    const id = parseIndicator(hash, { kind: 'file' }).id;
    return this.#object('lookup', `/files/${id}`, 'GET /files/{id}', o);
  }

  /** GET /urls/{id}: a URL (sent as its unpadded base64url id) or an id (64-hex sha256 or base64url). */
  async getUrl(urlOrId: string, o?: RequestOptions): Promise<VtObject> {
    return this.#object('lookup', `/urls/${this.#urlId(urlOrId)}`, 'GET /urls/{id}', o);
  }

  async getDomain(domain: string, o?: RequestOptions): Promise<VtObject> {
    const id = parseIndicator(domain, { kind: 'domain', allowPrivate: true }).id;
    return this.#object('lookup', `/domains/${segment(id, 'domain')}`, 'GET /domains/{id}', o);
  }

  async getIp(ip: string, o?: RequestOptions): Promise<VtObject> {
    const id = parseIndicator(ip, { kind: 'ip', allowPrivate: true }).id;
    return this.#object('lookup', `/ip_addresses/${segment(id, 'ip')}`, 'GET /ip_addresses/{id}', o);
  }

  // ---- analyses ----

  /** GET /analyses/{id}: status queued -> in-progress -> completed, with meta.file_info / meta.url_info. */
  async getAnalysis(id: string, o?: RequestOptions): Promise<VtAnalysisResponse> {
    const describe = 'GET /analyses/{id}';
    const json = await this.#json('analysis', { method: 'GET', target: `/analyses/${segment(id, 'analysis id')}`, describe }, o);
    return this.#shape(analysisResponseSchema, json, describe);
  }

  /** GET /analyses/{id}/item: the analysed file or URL object. */
  async getAnalysisItem(id: string, o?: RequestOptions): Promise<VtObject> {
    return this.#object('lookup', `/analyses/${segment(id, 'analysis id')}/item`, 'GET /analyses/{id}/item', o);
  }

  // ---- collections ----

  /** One page of a collection (`/{collection}/{id}/{relationship}` ...), continued with `meta.cursor`. */
  async getCollection(path: string, params: CollectionParams = {}, o?: RequestOptions): Promise<VtCollection> {
    const describe = 'GET collection';
    const query: Record<string, string | undefined> = {
      cursor: params.cursor,
      limit: params.limit !== undefined ? String(Math.max(1, Math.floor(params.limit))) : undefined,
    };
    const json = await this.#json('other', { method: 'GET', target: checkedPath(path), query, describe }, o);
    return this.#shape(collectionSchema, json, describe);
  }

  /** Every object of a collection, page after page (one request per page). */
  async *iterate(path: string, params: IterateParams = {}, o?: RequestOptions): AsyncGenerator<VtObject> {
    const limit = params.limit ?? Number.POSITIVE_INFINITY;
    const seen = new Set<string>();
    let cursor: string | undefined;
    let yielded = 0;
    let emptyPages = 0;
    while (yielded < limit) {
      const remaining = limit - yielded;
      const pageLimit = params.pageSize !== undefined ? Math.min(params.pageSize, remaining) : Number.isFinite(remaining) ? remaining : undefined;
      const page = await this.getCollection(path, { ...(cursor ? { cursor } : {}), ...(pageLimit ? { limit: pageLimit } : {}) }, o);
      for (const obj of page.data) {
        if (yielded >= limit) return;
        yielded++;
        yield obj;
      }
      const next = page.meta?.cursor;
      emptyPages = page.data.length === 0 ? emptyPages + 1 : 0;
      // a missing or repeated cursor ends it; so do a few empty pages in a row (bounded, never a loop)
      if (!next || seen.has(next) || emptyPages >= 3) return;
      seen.add(next);
      cursor = next;
    }
  }

  // ---- submissions ----

  /** GET /files/upload_url: a one-time absolute URL for files of 32 MB and more. */
  async getUploadUrl(o?: RequestOptions): Promise<string> {
    const describe = 'GET /files/upload_url';
    const json = await this.#json('upload_url', { method: 'GET', target: '/files/upload_url', describe }, o);
    return this.#shape(uploadUrlSchema, json, describe).data;
  }

  /**
   * Uploads a file for analysis, streamed from disk: under 32 MB to POST /files, from 32 MB to
   * 650 MB through an upload URL (two requests, permits 'upload_url' then 'upload'), above that an
   * error before any request.
   */
  async scanFile(path: string, params: ScanFileParams = {}, o?: RequestOptions): Promise<VtAnalysisDescriptor> {
    const fields = params.password !== undefined ? { password: params.password } : undefined;
    const body = await multipartFromFile({ path, filename: params.filename ?? basename(path), ...(fields ? { fields } : {}) });
    if (body.fileSize > MAX_UPLOAD_SIZE) {
      throw new VtFileTooLargeError(
        `file is ${body.fileSize} bytes; VirusTotal accepts at most ${MAX_UPLOAD_SIZE} bytes (650 MiB)`,
        body.fileSize,
      );
    }
    let target = '/files';
    let describe = 'POST /files';
    if (body.fileSize >= DIRECT_UPLOAD_LIMIT) {
      target = await this.getUploadUrl(o);
      checkedAbsoluteUrl(target);
      describe = 'POST upload URL';
    }
    const json = await this.#json(
      'upload',
      {
        method: 'POST',
        target,
        headers: { 'content-type': body.contentType, 'content-length': String(body.length) },
        body: (progress) => body.stream(progress),
        describe,
        timeoutMode: 'idle',
      },
      o,
    );
    return this.#descriptor(json, describe);
  }

  /** POST /urls with the form field `url`. */
  async scanUrl(url: string, o?: RequestOptions): Promise<VtAnalysisDescriptor> {
    const value = parseIndicator(url, { kind: 'url', allowPrivate: true }).value;
    const describe = 'POST /urls';
    const json = await this.#json(
      'scan_url',
      {
        method: 'POST',
        target: '/urls',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ url: value }).toString(),
        describe,
      },
      o,
    );
    return this.#descriptor(json, describe);
  }

  /** POST /files/{id}/analyse. */
  async rescanFile(hash: string, o?: RequestOptions): Promise<VtAnalysisDescriptor> {
    const id = parseIndicator(hash, { kind: 'file' }).id;
    const describe = 'POST /files/{id}/analyse';
    const json = await this.#json('rescan', { method: 'POST', target: `/files/${id}/analyse`, describe }, o);
    return this.#descriptor(json, describe);
  }

  /** POST /urls/{id}/analyse. */
  async rescanUrl(urlOrId: string, o?: RequestOptions): Promise<VtAnalysisDescriptor> {
    const describe = 'POST /urls/{id}/analyse';
    const json = await this.#json('rescan', { method: 'POST', target: `/urls/${this.#urlId(urlOrId)}/analyse`, describe }, o);
    return this.#descriptor(json, describe);
  }

  // ---- users and quotas ----

  /** GET /users/{id}/overall_quotas, read from data.api_requests_{hourly,daily,monthly}. */
  async overallQuotas(userId: string, o?: RequestOptions): Promise<OverallQuotas> {
    const describe = 'GET /users/{id}/overall_quotas';
    const json = await this.#json('quota', { method: 'GET', target: `/users/${segment(userId, 'user id')}/overall_quotas`, describe }, o);
    const data = (json as { data?: unknown }).data;
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      throw new VtResponseError(`VirusTotal answered an unexpected shape (${describe}): data is not an object`, 200);
    }
    const raw = data as Record<string, unknown>;
    const quotas: OverallQuotas = { raw };
    const hourly = quotaWindow(raw.api_requests_hourly);
    const daily = quotaWindow(raw.api_requests_daily);
    const monthly = quotaWindow(raw.api_requests_monthly);
    if (hourly) quotas.hourly = hourly;
    if (daily) quotas.daily = daily;
    if (monthly) quotas.monthly = monthly;
    return quotas;
  }

  /** GET /users/{id}/api_usage: requests per day per endpoint group. */
  async apiUsage(userId: string, o?: ApiUsageOptions): Promise<ApiUsage> {
    const describe = 'GET /users/{id}/api_usage';
    const query = { start_date: o?.startDate, end_date: o?.endDate };
    const json = await this.#json('quota', { method: 'GET', target: `/users/${segment(userId, 'user id')}/api_usage`, query, describe }, o);
    const { data } = this.#shape(apiUsageSchema, json, describe);
    return data.total ? { daily: data.daily, total: data.total } : { daily: data.daily };
  }

  /** GET /users/{id} (any `apikey` attribute in the answer is redacted). */
  async getUser(userId: string, o?: RequestOptions): Promise<VtObject> {
    return this.#object('quota', `/users/${segment(userId, 'user id')}`, 'GET /users/{id}', o);
  }

  // ---- passthrough ----

  /**
   * Raw passthrough for the gateway's VirusTotal-compatible surface: one request, any status
   * returned as is (never thrown); network failures and timeouts still throw.
   */
  async raw(method: 'GET' | 'POST', path: string, init: RawInit = {}, o?: RequestOptions): Promise<RawAnswer> {
    let target: string;
    let describe: string;
    if (init.absoluteUrl !== undefined) {
      target = checkedAbsoluteUrl(init.absoluteUrl).toString();
      describe = `${method} absolute URL`;
    } else {
      target = checkedPath(path);
      describe = `${method} ${target.split('?')[0]}`;
    }
    const call: Call = { method, target, query: init.query, describe };
    if (init.form) {
      call.headers = { 'content-type': 'application/x-www-form-urlencoded' };
      call.body = new URLSearchParams(init.form).toString();
    } else if (init.multipartFile) {
      const body = await multipartFromFile(init.multipartFile);
      call.headers = { 'content-type': body.contentType, 'content-length': String(body.length) };
      call.body = (progress) => body.stream(progress);
      call.timeoutMode = 'idle';
    }
    const answer = await this.#send(init.kind ?? 'other', call, o);
    let body: unknown = null;
    if (answer.text.trim() !== '') {
      try {
        body = this.#redact(JSON.parse(answer.text), answer.text);
      } catch {
        body = null;
      }
    }
    return { status: answer.status, body, contentType: answer.contentType };
  }

  /** Closes the connection pool; the client cannot be used afterwards. */
  async close(): Promise<void> {
    await this.#transport.dispatcher.close();
  }

  // ---- internals ----

  #urlId(urlOrId: string): string {
    const text = urlOrId.trim();
    if (/^[0-9a-f]{64}$/i.test(text)) return text.toLowerCase();
    if (/^[A-Za-z0-9_-]+$/.test(text)) return text; // already an unpadded base64url id
    return parseIndicator(text, { kind: 'url', allowPrivate: true }).vtUrlId as string;
  }

  /** The key goes to the API origin's host and VirusTotal's own hosts only (upload URLs). */
  #sendsKeyTo(url: URL): boolean {
    const host = url.hostname.toLowerCase();
    return host === this.#trustedHost || host === 'virustotal.com' || host.endsWith('.virustotal.com');
  }

  async #send(kind: CallKind, call: Call, o?: RequestOptions): Promise<Answer> {
    const signal = o?.signal;
    if (signal?.aborted) throw abortReason(signal);
    const url = new URL(/^https?:\/\//i.test(call.target) ? call.target : `${this.#apiRoot}${call.target}`);
    for (const [name, value] of Object.entries(call.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'accept-encoding': 'gzip',
      'user-agent': this.#userAgent,
      'x-tool': 'vt-gateway',
      ...call.headers,
    };
    // the permit names the pool member the governor granted the call on
    const granted = await o?.permit?.(kind);
    if (signal?.aborted) throw abortReason(signal);
    if (this.#sendsKeyTo(url)) headers['x-apikey'] = (granted && this.#poolKeys.get(granted)) || this.#apiKey;
    return exchange(this.#transport, {
      method: call.method,
      url: url.toString(),
      headers,
      body: call.body,
      describe: call.describe,
      signal,
      timeoutMode: call.timeoutMode ?? 'deadline',
    });
  }

  /** Sends the call and returns the parsed JSON of a 2xx answer; any other answer becomes its VtError. */
  async #json(kind: CallKind, call: Call, o?: RequestOptions): Promise<unknown> {
    const answer = await this.#send(kind, call, o);
    const secrets = this.#transport.secrets;
    let json: unknown;
    let parsed = false;
    if (answer.text.trim() !== '') {
      try {
        json = JSON.parse(answer.text);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw scrubError(errorFromResponse(answer.status, parsed ? json : answer.text, answer.headers), secrets);
    }
    if (!parsed) {
      throw new VtResponseError(`VirusTotal answered ${answer.status} without a JSON body (${call.describe})`, answer.status);
    }
    // like vt-go: an {error:{code}} body without data is an error whatever the status
    if (json && typeof json === 'object' && 'error' in json && !('data' in json)) {
      throw scrubError(errorFromResponse(answer.status, json, answer.headers), secrets);
    }
    return this.#redact(json, answer.text);
  }

  #redact(json: unknown, text: string): unknown {
    let out = json;
    for (const secret of [this.#apiKey, ...this.#poolKeys.values()]) if (text.includes(secret)) out = redact(out, secret);
    return out;
  }

  #shape<S extends z.ZodType>(schema: S, json: unknown, describe: string): z.infer<S> {
    return shaped(schema, json, describe);
  }

  async #object(kind: CallKind, target: string, describe: string, o?: RequestOptions): Promise<VtObject> {
    const json = await this.#json(kind, { method: 'GET', target, describe }, o);
    const { data } = this.#shape(objectEnvelopeSchema, json, describe);
    const expected = EXPECTED_TYPES[target.split('/')[1] as string];
    if (expected && data.type !== expected) {
      throw new VtResponseError(`VirusTotal answered a ${data.type} object where a ${expected} was expected (${describe})`, 200);
    }
    return data;
  }

  #descriptor(json: unknown, describe: string): VtAnalysisDescriptor {
    const { data } = this.#shape(objectEnvelopeSchema, json, describe);
    return this.#shape(analysisDescriptorSchema, data, describe);
  }
}
