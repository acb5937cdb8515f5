/**
 * SPUR Context API client: `GET /v2/context/<ip>` with the token in the `Token` header only.
 * 400 bad address, 401 bad token, 403 no Context API access, 429 no query balance left.
 */
import { type Clock, systemClock } from '../../clock/index.js';
import { callUpstream, gatewayUserAgent, lenientNumber, parseJsonBody } from '../http-errors.js';
import type { RequestOptions } from '../types.js';
import { parseSpurContext, type SpurContext } from './parse.js';

export const SPUR_DEFAULT_URL = 'https://api.spur.us';

export interface SpurClientOptions {
  /** SPUR token (env `SPUR_API_KEY`). Required. */
  apiKey: string;
  /** Default `VTG_SPUR_URL` or https://api.spur.us */
  baseUrl?: string;
  timeoutMs?: number;
  clock?: Clock;
}

export interface SpurAnswer {
  context: SpurContext;
  body: unknown;
  /** `x-balance-remaining`, when sent. */
  balanceRemaining: number | null;
}

export class SpurClient {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #clock: Clock;

  constructor(options: SpurClientOptions) {
    const token = options?.apiKey?.trim();
    if (!token) throw new TypeError('SPUR needs an API token (set SPUR_API_KEY)');
    this.#token = token;
    this.baseUrl = (options.baseUrl ?? SPUR_DEFAULT_URL).replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#clock = options.clock ?? systemClock;
  }

  async context(ip: string, options?: RequestOptions): Promise<SpurAnswer> {
    await options?.permit?.('lookup');
    const answer = await callUpstream({
      provider: 'spur',
      method: 'GET',
      url: `${this.baseUrl}/v2/context/${encodeURIComponent(ip.trim())}`,
      headers: { accept: 'application/json', token: this.#token, 'user-agent': gatewayUserAgent() },
      timeoutMs: this.#timeoutMs,
      signal: options?.signal,
      clock: this.#clock,
      secrets: [this.#token],
    });
    const body = parseJsonBody('spur', answer.text, [this.#token]);
    const balance = answer.headers['x-balance-remaining'];
    return {
      context: parseSpurContext(body),
      body,
      balanceRemaining: lenientNumber(Array.isArray(balance) ? balance[0] : balance),
    };
  }
}
