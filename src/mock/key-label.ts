import { createHash } from 'node:crypto';

/**
 * Short, stable label of an API key for stats and logs: a few leading characters and a sha256
 * prefix. Never the key itself (short keys show fewer leading characters).
 */
export function keyLabel(key: string): string {
  if (!key) return '(none)';
  const shown = key.slice(0, Math.min(4, Math.floor(key.length / 4)));
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${shown}~${digest}`;
}
