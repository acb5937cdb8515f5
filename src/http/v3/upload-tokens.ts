/** One-time upload URLs for `GET /api/v3/files/upload_url`: a random token bound to the caller, valid for an hour. */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock/index.js';

const TTL_MS = 3_600_000;
const MAX_OUTSTANDING = 10_000;

/** `P` is the caller (the HTTP `Principal`); generic so this file does not import `http/types.ts` back. */
export class UploadTokens<P> {
  readonly #clock: Clock;
  readonly #tokens = new Map<string, { principal: P; expiresAt: number }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  issue(principal: P): string {
    this.#sweep();
    if (this.#tokens.size >= MAX_OUTSTANDING) {
      const oldest = this.#tokens.keys().next().value;
      if (oldest !== undefined) this.#tokens.delete(oldest);
    }
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, { principal, expiresAt: this.#clock.now() + TTL_MS });
    return token;
  }

  /** The principal the token was issued to; the token is spent either way. */
  take(token: string): P | undefined {
    const entry = this.#tokens.get(token);
    if (!entry) return undefined;
    this.#tokens.delete(token);
    return entry.expiresAt >= this.#clock.now() ? entry.principal : undefined;
  }

  clear(): void {
    this.#tokens.clear();
  }

  #sweep(): void {
    const now = this.#clock.now();
    for (const [token, entry] of this.#tokens) {
      if (entry.expiresAt >= now) break; // insertion order = expiry order
      this.#tokens.delete(token);
    }
  }
}
