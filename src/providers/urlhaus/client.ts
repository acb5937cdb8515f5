/**
 * URLhaus (abuse.ch) query API client: URL, host and payload lookups (POST, form-encoded).
 * The key travels only in the `Auth-Key` header. Keeps no state.
 */
import { type Clock, systemClock } from '../../clock/index.js';
import { callUpstream, gatewayUserAgent, ProviderError, parseJsonBody } from '../http-errors.js';
import type { RequestOptions } from '../types.js';
import {
  parseHostInfo,
  parsePayloadInfo,
  parseUrlInfo,
  queryStatusOf,
  type UrlhausHostInfo,
  type UrlhausPayloadInfo,
  type UrlhausQueryStatus,
  type UrlhausUrlInfo,
} from './parse.js';

export const URLHAUS_DEFAULT_URL = 'https://urlhaus-api.abuse.ch';

export interface UrlhausClientOptions {
  /** abuse.ch Auth-Key (env `URLHAUS_API_KEY`). */
  apiKey?: string;
  /** Default `VTG_URLHAUS_URL` or https://urlhaus-api.abuse.ch */
  baseUrl?: string;
  timeoutMs?: number;
  clock?: Clock;
}

/** One answer: the status, the typed view, and the body exactly as parsed from JSON. */
export interface UrlhausAnswer<T> {
  queryStatus: UrlhausQueryStatus;
  info: T;
  body: unknown;
}

export class UrlhausClient {
  readonly baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  readonly #clock: Clock;

  constructor(options: UrlhausClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? URLHAUS_DEFAULT_URL).replace(/\/+$/, '');
    this.#apiKey = options.apiKey?.trim() || undefined;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#clock = options.clock ?? systemClock;
  }

  /** `POST /v1/url/` with `url=`. */
  async lookupUrl(url: string, options?: RequestOptions): Promise<UrlhausAnswer<UrlhausUrlInfo>> {
    const body = await this.#post('/v1/url/', { url }, options);
    return { queryStatus: queryStatusOf(body), info: parseUrlInfo(body), body };
  }

  /** `POST /v1/host/` with `host=` (a domain or an IP address). */
  async lookupHost(host: string, options?: RequestOptions): Promise<UrlhausAnswer<UrlhausHostInfo>> {
    const body = await this.#post('/v1/host/', { host }, options);
    return { queryStatus: queryStatusOf(body), info: parseHostInfo(body), body };
  }

  /** `POST /v1/payload/` with `sha256_hash=` or `md5_hash=` (chosen by the hash length). */
  async lookupPayload(hash: string, options?: RequestOptions): Promise<UrlhausAnswer<UrlhausPayloadInfo>> {
    const h = hash.trim().toLowerCase();
    let field: string;
    if (/^[0-9a-f]{64}$/.test(h)) field = 'sha256_hash';
    else if (/^[0-9a-f]{32}$/.test(h)) field = 'md5_hash';
    else {
      throw new ProviderError({
        provider: 'urlhaus',
        status: 0,
        code: 'BadRequestError',
        message: 'URLhaus payload lookups take an MD5 or SHA-256 hash',
      });
    }
    const body = await this.#post('/v1/payload/', { [field]: h }, options);
    return { queryStatus: queryStatusOf(body), info: parsePayloadInfo(body), body };
  }

  async #post(path: string, form: Record<string, string>, options?: RequestOptions): Promise<unknown> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'user-agent': gatewayUserAgent(),
    };
    if (this.#apiKey) headers['auth-key'] = this.#apiKey;
    await options?.permit?.('lookup');
    const answer = await callUpstream({
      provider: 'urlhaus',
      method: 'POST',
      url: this.baseUrl + path,
      headers,
      body: new URLSearchParams(form).toString(),
      timeoutMs: this.#timeoutMs,
      signal: options?.signal,
      clock: this.#clock,
      secrets: [this.#apiKey],
    });
    const body = parseJsonBody('urlhaus', answer.text, [this.#apiKey]);
    throwOnErrorStatus(queryStatusOf(body));
    return body;
  }
}

/** URLhaus reports errors in the body with HTTP 200; the ones that are not results become errors. */
function throwOnErrorStatus(status: UrlhausQueryStatus): void {
  if (status === 'unknown_auth_key') {
    throw new ProviderError({
      provider: 'urlhaus',
      status: 401,
      code: 'WrongCredentialsError',
      message: 'URLhaus refused the Auth-Key (unknown_auth_key)',
    });
  }
  if (status.startsWith('invalid_') || status === 'http_post_expected') {
    throw new ProviderError({
      provider: 'urlhaus',
      status: 400,
      code: 'BadRequestError',
      message: `URLhaus refused the query (${status})`,
    });
  }
}
