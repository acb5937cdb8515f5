/** Errors the Gateway raises itself (upstream errors keep their provider's classes). */

/** The quota is spent and the caller chose not to wait (or no stale answer exists and waiting is off). */
export class QuotaExhaustedError extends Error {
  override name = 'QuotaExhaustedError';
  readonly code = 'QuotaExhaustedError';
  constructor(
    readonly provider: string,
    readonly retryInMs: number,
    readonly detail: string,
  ) {
    super(`${provider} quota exhausted (${detail}); next request possible in ${formatDuration(retryInMs)}`);
  }
}

/** A cache-only lookup (reader role, --cache-only) found nothing. */
export class NotCachedError extends Error {
  override name = 'NotCachedError';
  readonly code = 'NotCachedError';
  constructor(readonly indicator: string) {
    super(`${indicator} is not in the cache and this lookup may not spend quota`);
  }
}

/** The provider cannot look up this kind of indicator, or has no key configured. */
export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
  readonly code = 'ProviderUnavailableError';
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'never (the key is paused until an operator acts)';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}
