/**
 * What the Redis governor pushes when Redis returns: the grants it made from its local share
 * meanwhile, or, when Redis lost its data, everything it counted in the current windows.
 */
import type { CallKind } from '../providers/types.js';
import type { OwnGrants, PendingGrant } from './redis-share.js';
import { CALL_KINDS, bucketParams, minuteSpan } from './state.js';
import type { CalendarWindow, QuotaLimits } from './types.js';
import { CALENDAR_WINDOWS, windowEnd, windowStart } from './windows.js';

export interface PushPayload {
  now: number;
  span: number;
  grants: Array<[string, number]>;
  hour: number;
  day: number;
  month: number;
  hourTtl: number;
  dayTtl: number;
  monthTtl: number;
  pausedUntil: number;
  unhealthy: boolean;
  bucketAt: number;
  ledger: Partial<Record<CallKind, number>>;
}

/**
 * The PUSH_LUA payload for one key, and how many calls it carries (`count`), or null when there
 * is nothing to push.
 */
export function pushPayload(input: {
  now: number;
  limits: QuotaLimits;
  everything: boolean;
  own: OwnGrants | undefined;
  pending: readonly PendingGrant[];
  pausedUntil: number;
  unhealthy: boolean;
}): { payload: PushPayload; count: number } | null {
  const { now, limits, own, pending, pausedUntil, unhealthy } = input;
  const inc: Record<CalendarWindow, number> = { hour: 0, day: 0, month: 0 };
  const ledger: Partial<Record<CallKind, number>> = {};
  let grants: Array<[string, number]>;
  let bucketAt = 0;
  if (input.everything) {
    grants = (own?.minute ?? []).map((g) => [g.member, g.at]);
    for (const w of CALENDAR_WINDOWS) {
      const c = own?.calendar[w];
      if (c && c.start === windowStart(w, now)) inc[w] = c.used;
    }
    for (const k of CALL_KINDS) if (own && own.ledger[k] > 0) ledger[k] = own.ledger[k];
    bucketAt = own?.minute.at(-1)?.at ?? 0;
  } else {
    grants = pending.map((g) => [g.member, g.at]);
    for (const g of pending) {
      for (const w of CALENDAR_WINDOWS) if (windowStart(w, g.at) === windowStart(w, now)) inc[w]++;
      ledger[g.kind] = (ledger[g.kind] ?? 0) + 1;
      bucketAt = Math.max(bucketAt, g.at);
    }
  }
  if (grants.length === 0 && inc.month === 0 && pausedUntil <= now && !unhealthy && pending.length === 0) return null;
  return {
    payload: {
      now,
      span: minuteSpan(limits),
      grants,
      hour: inc.hour,
      day: inc.day,
      month: inc.month,
      hourTtl: windowEnd('hour', now) - now,
      dayTtl: windowEnd('day', now) - now,
      monthTtl: windowEnd('month', now) - now,
      pausedUntil,
      unhealthy,
      bucketAt: bucketParams(limits) ? bucketAt : 0,
      ledger,
    },
    count: input.everything ? inc.month : pending.length,
  };
}
