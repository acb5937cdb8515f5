import { sha256Hex } from '../common/sha256.js';

/** Stable short label for an API key, safe for logs, metrics and Redis key names. */
export function keyLabel(secret: string): string {
  return 'vt:' + sha256Hex(secret).slice(0, 12);
}
