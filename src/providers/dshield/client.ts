/**
 * ISC/DShield IP API client. No key; ISC asks for a User-Agent with contact details, so the
 * configured e-mail goes in the User-Agent and nowhere else (never in the URL, never in errors).
 */
import { type Clock, systemClock } from '../../clock/index.js';
import { callUpstream, gatewayUserAgent, ProviderError, parseJsonBody } from '../http-errors.js';
import type { RequestOptions } from '../types.js';
import { type DshieldIpInfo, parseDshieldIp } from './parse.js';

export const DSHIELD_DEFAULT_URL = 'https://isc.sans.edu';
/** ISC asks clients that got a 429 to stop for five minutes when it sends no Retry-After. */
export const DSHIELD_DEFAULT_BACKOFF_MS = 5 * 60_000;

export interface DshieldClientOptions {
  /** Contact e-mail (env `DSHIELD_EMAIL`), sent only inside the User-Agent. */
  email?: string;
  /** Default `VTG_DSHIELD_URL` or https://isc.sans.edu */
  baseUrl?: string;
  timeoutMs?: number;
  clock?: Clock;
}

export interface DshieldAnswer {
  info: DshieldIpInfo;
  body: unknown;
}

export class DshieldClient {
  readonly baseUrl: string;
  readonly #email: string | undefined;
  readonly #timeoutMs: number;
  readonly #clock: Clock;

  constructor(options: DshieldClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DSHIELD_DEFAULT_URL).replace(/\/+$/, '');
    this.#email = options.email?.trim() || undefined;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#clock = options.clock ?? systemClock;
  }

  /** The User-Agent this client sends. */
  get userAgent(): string {
    return gatewayUserAgent(this.#email);
  }

  /** `GET /api/ip/<ip>?json` */
  async lookupIp(ip: string, options?: RequestOptions): Promise<DshieldAnswer> {
    await options?.permit?.('lookup');
    const secrets = [this.#email];
    let text: string;
    try {
      const answer = await callUpstream({
        provider: 'dshield',
        method: 'GET',
        url: `${this.baseUrl}/api/ip/${encodeURIComponent(ip.trim())}?json`,
        headers: { accept: 'application/json', 'user-agent': this.userAgent },
        timeoutMs: this.#timeoutMs,
        signal: options?.signal,
        clock: this.#clock,
        secrets,
      });
      text = answer.text;
    } catch (err) {
      if (err instanceof ProviderError && err.status === 429 && err.retryAfterMs === undefined) {
        throw new ProviderError({
          provider: 'dshield',
          status: 429,
          code: err.code,
          message: err.message,
          retryAfterMs: DSHIELD_DEFAULT_BACKOFF_MS,
        });
      }
      throw err;
    }
    const body = parseJsonBody('dshield', text, secrets);
    const info = parseDshieldIp(body);
    if (info.error) {
      throw new ProviderError({
        provider: 'dshield',
        status: 400,
        code: 'BadRequestError',
        message: `DShield refused the address: ${info.error.slice(0, 100)}`,
      });
    }
    return { info, body };
  }
}
