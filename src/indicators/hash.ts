import type { HashType } from './types.js';

const HASH_TYPES: Record<number, HashType> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/** The hash type of a hex digest (any case), or undefined when `text` is not one. */
export function hashTypeOf(text: string): HashType | undefined {
  if (!/^[0-9a-f]+$/i.test(text)) return undefined;
  return HASH_TYPES[text.length];
}

/** SHA-256 of the UTF-8 bytes of `text`, lower-case hex (a URL's id). */
export { sha256Hex } from '../common/sha256.js';
