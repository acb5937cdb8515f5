/**
 * Fail fast on spent quota: a scan, an upload or a rescan that would wait for quota longer than
 * `VTG_STALE_IF_WAIT` is answered 429 with Retry-After at once (before an upload body is read),
 * instead of holding a connection and an in-flight slot until the window resets.
 */
import { QuotaExhaustedError } from '../gateway/index.js';
import type { AppDeps } from './types.js';

export async function assertQuotaNow(deps: AppDeps): Promise<void> {
  const q = await deps.gateway.quota('virustotal');
  if (q.canMakeRequest || q.recommendedBackoffMs <= deps.gateway.config.cache.staleIfWaitMs) return;
  const hot = q.windows.filter((w) => w.remaining <= 0).map((w) => `${w.window} ${w.used}/${w.limit}`);
  throw new QuotaExhaustedError('virustotal', q.recommendedBackoffMs, hot.length ? `${hot.join(', ')} used` : 'rate limit');
}
