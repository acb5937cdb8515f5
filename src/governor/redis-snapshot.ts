/** Reads one key's shared state from Redis as a QuotaSnapshot (for summaries and ETAs). */
import type { Redis } from 'ioredis';
import type { RedisKeyNames } from './redis-keys.js';
import { CALL_KINDS, type QuotaSnapshot, emptySnapshot, minuteSpan } from './state.js';
import type { QuotaLimits } from './types.js';
import { CALENDAR_WINDOWS, windowStart } from './windows.js';

export async function readSnapshot(
  redis: Redis,
  names: RedisKeyNames,
  key: string,
  limits: QuotaLimits,
  now: number,
  /** this process's own pause, which holds even before its script reached Redis */
  ownPause = 0,
): Promise<QuotaSnapshot> {
  const span = minuteSpan(limits);
  const res = await redis
    .pipeline()
    .zrangebyscore(names.k(key, 'min'), `(${now - span}`, '+inf', 'WITHSCORES')
    .get(names.window(key, 'hour', now))
    .get(names.window(key, 'day', now))
    .get(names.window(key, 'month', now))
    .hmget(names.k(key, 'bucket'), 'tokens', 'at')
    .get(names.k(key, 'pause'))
    .get(names.k(key, 'health'))
    .hgetall(names.k(key, 'ledger'))
    .hget(names.k(key, 'meta'), 'lastReconciledAt')
    .exec();
  if (!res) throw new Error('redis pipeline returned nothing');
  for (const [err] of res) if (err) throw err;
  const v = res.map(([, value]) => value);
  const minuteRaw = (v[0] as string[]) ?? [];
  const minute: number[] = [];
  for (let i = 1; i < minuteRaw.length; i += 2) minute.push(Number(minuteRaw[i]));
  const snap = emptySnapshot(limits);
  // the zset holds every grant; the snapshot, like the memory governor, only when a minute limit is set
  snap.minute = limits.minute === undefined ? [] : minute.sort((a, b) => a - b);
  CALENDAR_WINDOWS.forEach((w, i) => {
    snap.calendar[w] = { start: windowStart(w, now), used: Number(v[1 + i] ?? 0) };
  });
  const [tokens, at] = (v[4] as Array<string | null>) ?? [];
  if (tokens != null && at != null) snap.bucket = { tokens: Number(tokens), at: Number(at) };
  snap.pausedUntil = Math.max(ownPause, Number(v[5] ?? 0));
  snap.healthy = v[6] !== '0';
  const ledger = (v[7] as Record<string, string>) ?? {};
  for (const k of CALL_KINDS) snap.ledger[k] = Number(ledger[k] ?? 0);
  snap.lastReconciledAt = v[8] == null ? null : Number(v[8]);
  return snap;
}
