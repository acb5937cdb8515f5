export type IndicatorKind = 'file' | 'url' | 'domain' | 'ip';
export type HashType = 'md5' | 'sha1' | 'sha256';

export interface Indicator {
  kind: IndicatorKind;
  /** canonical value: lower-case hash; normalised URL; lower-case punycode domain without trailing dot; canonical IP text (IPv6 compressed, lower-case) */
  value: string;
  /** cache key and VT id: the hash; sha256 hex of the normalised URL; the domain; the IP */
  id: string;
  /** files only */
  hashType?: HashType;
  /** urls only: unpadded base64url of `value` (vt-api.md 3.5) */
  vtUrlId?: string;
}

export interface ParseOptions {
  /** Accept private, loopback, link-local and reserved addresses (and URLs pointing at them). */
  allowPrivate?: boolean;
  /** Only accept this kind (a bare domain or IP is then read as a URL when kind is 'url'). */
  kind?: IndicatorKind;
}

export const REASON_EMPTY = 'empty input';
export const REASON_PRIVATE = 'private IP address';
export const REASON_UNKNOWN = 'not a hash, URL, domain or IP';

const MAX_SHOWN = 100;

/** Bad indicator input. The message quotes the input (shortened), then the reason. */
export class IndicatorError extends Error {
  readonly input: string;
  readonly reason: string;

  constructor(input: string, reason: string) {
    const trimmed = input.trim();
    const shown = trimmed.length > MAX_SHOWN ? `${trimmed.slice(0, MAX_SHOWN)}…` : trimmed;
    super(`${JSON.stringify(shown)}: ${reason}`);
    this.name = 'IndicatorError';
    this.input = input;
    this.reason = reason;
  }
}
