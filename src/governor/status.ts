import type { QuotaStatus } from './types.js';

/** healthy below 80 %, warning from 80 %, critical from 95 % (seed 000). */
export function statusFor(percent: number): QuotaStatus {
  if (percent >= 95) return 'critical';
  if (percent >= 80) return 'warning';
  return 'healthy';
}
