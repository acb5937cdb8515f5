/**
 * Cache warm-up: looks up a list at background priority, spending only the calls the day can spare
 * (what the forecast leaves at midnight minus the interactive reserve and the harvest margin, within
 * the month's daily share). Cached answers cost nothing; the rest beyond the spare calls is skipped.
 */
import { errorInfo } from '../common/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { Governor } from '../governor/index.js';
import { parseIndicator } from '../indicators/index.js';
import { forecastKey, type UsageHistory } from './forecast.js';
import type { LookupService } from './lookups.js';

const DAY = 86_400_000;

export interface WarmResult {
  /** Calls the day could spare when it started. */
  spare: number;
  total: number;
  cached: number;
  fetched: number;
  skipped: number;
  invalid: number;
  failed: number;
  calls: number;
}

export async function warmCache(
  deps: { config: GatewayConfig; governor: Governor; usage: UsageHistory; lookups: LookupService },
  inputs: readonly string[],
  options: { signal?: AbortSignal } = {},
): Promise<WarmResult> {
  const { lookups, config } = deps;
  const f = await forecastKey(deps.governor, deps.usage, lookups.keyOf('virustotal'), lookups.clock);
  const day = f.windows.find((w) => w.window === 'day');
  const month = f.windows.find((w) => w.window === 'month');
  let spare = day ? day.leftAtReset - Math.ceil(day.limit * config.scheduler.interactiveReserve) - config.harvest.marginCalls : Number.MAX_SAFE_INTEGER;
  if (month) spare = Math.min(spare, Math.floor(month.remaining / Math.max(1, Math.ceil((month.resetsAt - f.at) / DAY))) - config.harvest.marginCalls);
  spare = Math.max(0, spare);
  const r: WarmResult = { spare, total: inputs.length, cached: 0, fetched: 0, skipped: 0, invalid: 0, failed: 0, calls: 0 };
  for (const input of inputs) {
    if (options.signal?.aborted) break;
    let ind: ReturnType<typeof parseIndicator>;
    try {
      ind = parseIndicator(input);
    } catch {
      r.invalid++;
      continue;
    }
    if (await lookups.isFresh('virustotal', ind.kind, ind.id)) {
      r.cached++;
      continue;
    }
    if (r.calls >= spare) {
      r.skipped++;
      continue;
    }
    try {
      await lookups.lookup(ind, { priority: 'background', ...(options.signal ? { signal: options.signal } : {}), onUpstreamCall: () => {
          r.calls++;
        } });
      r.fetched++;
    } catch (err) {
      r.failed++;
      if (/429|TooMany|QuotaExceeded/i.test(errorInfo(err).message)) break;
    }
  }
  return r;
}
