import { createHash } from 'node:crypto';

/** Stable short label for an API key, safe for logs, metrics and Redis key names. */
export function keyLabel(secret: string): string {
  return 'vt:' + createHash('sha256').update(secret).digest('hex').slice(0, 12);
}
