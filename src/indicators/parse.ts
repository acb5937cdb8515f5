import { normaliseDomain } from './domain.js';
import { hashTypeOf, sha256Hex } from './hash.js';
import { canonicalIp, isPrivateAddress } from './ip.js';
import { refang } from './refang.js';
import {
  type Indicator,
  IndicatorError,
  type IndicatorKind,
  type ParseOptions,
  REASON_EMPTY,
  REASON_PRIVATE,
  REASON_UNKNOWN,
} from './types.js';
import { hasScheme, normaliseUrl, vtUrlId } from './url.js';

const KIND_REASONS: Record<IndicatorKind, string> = {
  file: 'not a hash (md5, sha1 or sha256)',
  url: 'not a URL',
  domain: 'not a domain',
  ip: 'not an IP address',
};

/**
 * Classifies and canonicalises one indicator: a hash, a URL (http, https, ftp, or a bare
 * `host/path`), a domain or an IP. Defanged input is accepted. Throws IndicatorError.
 */
export function parseIndicator(input: string, options: ParseOptions = {}): Indicator {
  const text = refang(input.trim());
  if (text === '') throw new IndicatorError(input, REASON_EMPTY);
  const allowPrivate = options.allowPrivate === true;
  const wanted = options.kind;
  const fail = (): never => {
    throw new IndicatorError(input, wanted ? KIND_REASONS[wanted] : REASON_UNKNOWN);
  };
  const refusePrivate = (): never => {
    throw new IndicatorError(input, REASON_PRIVATE);
  };

  const hashType = hashTypeOf(text);
  if (hashType && (!wanted || wanted === 'file')) {
    const hash = text.toLowerCase();
    return { kind: 'file', value: hash, id: hash, hashType };
  }
  if (wanted === 'file') return fail();

  const url = (candidate: string): Indicator | undefined => {
    const result = normaliseUrl(candidate);
    if (!result.ok) return undefined;
    if (result.privateHost && !allowPrivate) return refusePrivate();
    return { kind: 'url', value: result.value, id: sha256Hex(result.value), vtUrlId: vtUrlId(result.value) };
  };

  if (hasScheme(text)) {
    if (wanted && wanted !== 'url') return fail();
    return url(text) ?? fail();
  }

  const ip = canonicalIp(text);
  if (ip) {
    if (wanted === 'url') return url(ip.version === 6 ? `[${ip.value}]` : ip.value) ?? fail();
    if (wanted && wanted !== 'ip') return fail();
    if (!allowPrivate && isPrivateAddress(ip.value)) return refusePrivate();
    return { kind: 'ip', value: ip.value, id: ip.value };
  }
  if (wanted === 'ip') return fail();

  const domain = normaliseDomain(text);
  if (domain) {
    if (wanted === 'url') return url(domain) ?? fail();
    if (wanted && wanted !== 'domain') return fail();
    return { kind: 'domain', value: domain, id: domain };
  }
  if (wanted === 'domain') return fail();

  // bare URL forms: host/path, host:port/path, host:port, host?query
  if (/[/?#:]/.test(text)) return url(text) ?? fail();
  return fail();
}

export type TryParseResult = { ok: true; indicator: Indicator } | { ok: false; error: string };

/** Like `parseIndicator`, but returns the error message instead of throwing. */
export function tryParseIndicator(input: string, options?: ParseOptions): TryParseResult {
  try {
    return { ok: true, indicator: parseIndicator(input, options) };
  } catch (err) {
    if (err instanceof IndicatorError) return { ok: false, error: err.message };
    throw err;
  }
}
