import { createHash } from 'node:crypto';

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}
export function sha1Hex(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

export const EICAR_STRING = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
export const EICAR_MD5 = '44d88612fea8a8f36de82e1278abb02f';
export const EICAR_SHA1 = '3395856ce81f2b7382dee72602f798b642f14140';
export const EICAR_SHA256 = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';

export interface FileHashes {
  sha256: string;
  sha1: string;
  md5: string;
}

export type HashKind = 'md5' | 'sha1' | 'sha256';

export function hashKind(id: string): HashKind | null {
  if (/^[0-9a-fA-F]{64}$/.test(id)) return 'sha256';
  if (/^[0-9a-fA-F]{40}$/.test(id)) return 'sha1';
  if (/^[0-9a-fA-F]{32}$/.test(id)) return 'md5';
  return null;
}

/**
 * The hashes of a sample known only by one hash: the given hash is kept and the others are
 * hashes of the given hash string, so every server derives the same object. EICAR is the real one.
 */
export function deriveFileHashes(id: string): FileHashes | null {
  const kind = hashKind(id);
  if (!kind) return null;
  const h = id.toLowerCase();
  if (h === EICAR_MD5 || h === EICAR_SHA1 || h === EICAR_SHA256) {
    return { sha256: EICAR_SHA256, sha1: EICAR_SHA1, md5: EICAR_MD5 };
  }
  if (kind === 'sha256') return { sha256: h, sha1: sha1Hex(h), md5: md5Hex(h) };
  if (kind === 'sha1') return { sha256: sha256Hex(h), sha1: h, md5: md5Hex(h) };
  return { sha256: sha256Hex(h), sha1: sha1Hex(h), md5: h };
}

/**
 * VT-like URL canonicalisation: trim, add `http://` when no scheme, lower-case the scheme and the
 * host, and add "/" when the path is empty.
 */
export function canonicalUrl(input: string): string {
  let text = input.trim();
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text)) text = `http://${text}`;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/s.exec(text);
  if (!m) return text;
  const scheme = (m[1] as string).toLowerCase();
  const authority = m[2] as string;
  const at = authority.lastIndexOf('@');
  const host = at < 0 ? authority.toLowerCase() : authority.slice(0, at + 1) + authority.slice(at + 1).toLowerCase();
  let rest = m[3] as string;
  if (!rest.startsWith('/')) rest = `/${rest}`;
  return `${scheme}://${host}${rest}`;
}

/**
 * Resolves a `/urls/{id}` path id: a sha256 (lower-cased) or an unpadded base64url URL, which is
 * decoded and canonicalised. Returns null when it is neither.
 */
export function resolveUrlId(id: string): { id: string; url?: string } | null {
  if (/^[0-9a-fA-F]{64}$/.test(id)) return { id: id.toLowerCase() };
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(id)) return null;
  const decoded = Buffer.from(id.replace(/=+$/, ''), 'base64url').toString('utf8');
  if (decoded.length === 0 || decoded.includes('\uFFFD') || /[\s\u0000-\u001f]/.test(decoded)) return null;
  if (!/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)?[^/?#\s]+\.[^/?#\s]+/.test(decoded) && !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(decoded)) {
    return null;
  }
  const url = canonicalUrl(decoded);
  return { id: sha256Hex(url), url };
}

/** Resolves an indicator given as URL text, base64url id or sha256 to the canonical URL id. */
export function urlIdFromAny(input: string): { id: string; url?: string } | null {
  if (/^[0-9a-fA-F]{64}$/.test(input)) return { id: input.toLowerCase() };
  if (/[:/.]/.test(input)) {
    const url = canonicalUrl(input);
    return { id: sha256Hex(url), url };
  }
  return resolveUrlId(input);
}

/** File analysis id: standard padded base64 of "<md5>:<unix seconds>". */
export function fileAnalysisId(md5: string, unixSeconds: number): string {
  return Buffer.from(`${md5}:${unixSeconds}`).toString('base64');
}

export type AnalysisRef =
  | { kind: 'file-md5'; md5: string; date: number }
  | { kind: 'file-sha256'; sha256: string; date: number }
  | { kind: 'url'; urlId: string; date: number };

/** Decodes the analysis id forms VT uses: base64("<md5>:<ts>"), f-<sha256>-<ts>, u-<sha256>-<ts>. */
export function parseAnalysisId(id: string): AnalysisRef | null {
  const fu = /^([fu])-([0-9a-f]{64})-(\d{1,12})$/.exec(id);
  if (fu) {
    const date = Number(fu[3]);
    return fu[1] === 'f' ? { kind: 'file-sha256', sha256: fu[2] as string, date } : { kind: 'url', urlId: fu[2] as string, date };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(id)) return null;
  const decoded = Buffer.from(id, 'base64').toString('latin1');
  const m = /^([0-9a-f]{32}):(\d{1,12})$/.exec(decoded);
  return m ? { kind: 'file-md5', md5: m[1] as string, date: Number(m[2]) } : null;
}

/** A 32-bit unsigned slice of a digest, for deterministic choices. */
export function u32(digest: Buffer, offset: number): number {
  return digest.readUInt32BE(offset % (digest.length - 3));
}

/** Digest driving every deterministic choice about one indicator. */
export function seedDigest(kind: string, id: string, purpose = ''): Buffer {
  return createHash('sha256').update(`vt-mock:${kind}:${purpose}:${id}`).digest();
}
