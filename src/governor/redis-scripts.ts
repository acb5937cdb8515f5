/**
 * Lua scripts of the Redis governor. Each runs atomically in Redis, so several gateway processes
 * sharing one key never grant more than its limits. Time is the caller's clock (`now` argument),
 * so processes that share a scaled clock in tests agree with the simulator. Expiries are relative
 * (PEXPIRE, never PEXPIREAT) so a fake clock far from the server's time cannot expire live counters.
 */
import { bucketParams, minuteSpan, reservedLimit } from './state.js';
import type { RedisKeyNames } from './redis-keys.js';
import type { QuotaLimits, ReconcileReport } from './types.js';
import { CALENDAR_WINDOWS, windowEnd } from './windows.js';

/**
 * One grant attempt: checks and, when every constraint holds, counts the sliding minute, the
 * hour/day/month counters, the token bucket, the pause and the key health.
 *
 * KEYS: 1 epoch, 2 minute zset, 3 hour, 4 day, 5 month counters (of the current windows),
 *       6 bucket hash, 7 pause, 8 health, 9 ledger hash
 * ARGV: 1 now, 2 member (unique per grant), 3 expected epoch, 4 minute limit (-1 = none),
 *       5 minute span ms, 6/7/8 hour/day/month limits (-1 = none), 9/10 day/month limits under the
 *       caller's reserve, 11/12/13 ms until the hour/day/month windows end, 14 bucket rate per ms
 *       (0 = none), 15 burst, 16 call kind
 * Returns {code, wait, reason, minuteUsed, hourUsed, dayUsed, monthUsed}: code 0 granted, 1 wait,
 *       -1 key unhealthy, -2 epoch missing or changed (Redis lost its data: resync first).
 */
export const ACQUIRE_LUA = `
local now = tonumber(ARGV[1])
if redis.call('GET', KEYS[1]) ~= ARGV[3] then return {-2, 0, 'epoch', 0, 0, 0, 0} end
if redis.call('GET', KEYS[8]) == '0' then return {-1, 0, 'unhealthy', 0, 0, 0, 0} end
local wait = 0
local reason = ''
local function consider(w, why)
  if w > wait then wait = w; reason = why end
end
local pausedUntil = tonumber(redis.call('GET', KEYS[7]) or '0')
if pausedUntil > now then consider(pausedUntil - now, 'paused') end
local span = tonumber(ARGV[5])
local minuteLimit = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - span)
local minuteUsed = redis.call('ZCARD', KEYS[2])
if minuteLimit >= 0 and minuteUsed >= minuteLimit then
  local idx = minuteUsed - minuteLimit
  local oldest = redis.call('ZRANGE', KEYS[2], idx, idx, 'WITHSCORES')
  local w = now
  if oldest[2] then w = tonumber(oldest[2]) + span - now end
  if w < 1 then w = 1 end
  consider(w, 'minute')
end
local used = {}
local names = {'hour', 'day', 'month'}
for i = 1, 3 do
  used[i] = tonumber(redis.call('GET', KEYS[2 + i]) or '0')
  local limit = tonumber(ARGV[5 + i])
  if limit >= 0 and used[i] >= limit then consider(tonumber(ARGV[10 + i]), names[i]) end
end
local rate = tonumber(ARGV[14])
local burst = tonumber(ARGV[15])
local tokens = burst
if rate > 0 then
  local b = redis.call('HMGET', KEYS[6], 'tokens', 'at')
  if b[1] and b[2] then
    local elapsed = now - tonumber(b[2])
    if elapsed < 0 then elapsed = 0 end
    tokens = math.min(burst, tonumber(b[1]) + elapsed * rate)
  end
  if tokens < 1 - 1e-9 then
    local w = math.ceil((1 - tokens) / rate)
    if w < 1 then w = 1 end
    consider(w, 'bucket')
  end
end
for i = 2, 3 do
  local limit = tonumber(ARGV[7 + i])
  if limit >= 0 and used[i] >= limit then consider(tonumber(ARGV[10 + i]), 'reserve') end
end
if wait > 0 then
  return {1, math.ceil(wait), reason, minuteUsed, used[1], used[2], used[3]}
end
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('PEXPIRE', KEYS[2], span + 60000)
for i = 1, 3 do
  used[i] = redis.call('INCR', KEYS[2 + i])
  redis.call('PEXPIRE', KEYS[2 + i], tonumber(ARGV[10 + i]) + 3600000)
end
if rate > 0 then
  redis.call('HSET', KEYS[6], 'tokens', tostring(math.max(0, tokens - 1)), 'at', ARGV[1])
  redis.call('PEXPIRE', KEYS[6], math.ceil(burst / rate) + 60000)
end
redis.call('HINCRBY', KEYS[9], ARGV[16], 1)
return {0, 0, '', minuteUsed + 1, used[1], used[2], used[3]}
`;

/**
 * Adds counts made elsewhere (this process's fallback grants, or everything it counted before
 * Redis lost its data). ARGV[1] is JSON:
 * {now, span, grants: [[member, at]...], hour, day, month (increments), hourTtl, dayTtl, monthTtl,
 *  pausedUntil, unhealthy, bucketAt, ledger: {kind: n}}
 * KEYS as for ACQUIRE_LUA.
 */
export const PUSH_LUA = `
local a = cjson.decode(ARGV[1])
local now = tonumber(a.now)
local added = 0
for _, g in ipairs(a.grants) do
  if tonumber(g[2]) > now - a.span then
    added = added + redis.call('ZADD', KEYS[2], tonumber(g[2]), g[1])
  end
end
redis.call('PEXPIRE', KEYS[2], a.span + 60000)
local inc = {a.hour, a.day, a.month}
local ttl = {a.hourTtl, a.dayTtl, a.monthTtl}
for i = 1, 3 do
  if inc[i] > 0 then
    redis.call('INCRBY', KEYS[2 + i], inc[i])
    redis.call('PEXPIRE', KEYS[2 + i], ttl[i] + 3600000)
  end
end
if a.pausedUntil > now then
  local cur = tonumber(redis.call('GET', KEYS[7]) or '0')
  if a.pausedUntil > cur then redis.call('SET', KEYS[7], tostring(a.pausedUntil), 'PX', a.pausedUntil - now + 60000) end
end
if a.unhealthy then redis.call('SET', KEYS[8], '0') end
if a.bucketAt > 0 then
  local at = tonumber(redis.call('HGET', KEYS[6], 'at') or '0')
  if a.bucketAt > at then
    redis.call('HSET', KEYS[6], 'tokens', '0', 'at', tostring(a.bucketAt))
    redis.call('PEXPIRE', KEYS[6], 3600000)
  end
end
for kind, n in pairs(a.ledger) do redis.call('HINCRBY', KEYS[9], kind, n) end
return added
`;

/**
 * Believes upstream counts: each window's counter becomes max(ours, theirs).
 * KEYS: 1 hour, 2 day, 3 month counters, 4 meta hash. ARGV: now, then for hour/day/month
 * (used or -1, ms until the window ends).
 */
export const RECONCILE_LUA = `
for i = 1, 3 do
  local theirs = tonumber(ARGV[2 * i])
  if theirs >= 0 then
    local ours = tonumber(redis.call('GET', KEYS[i]) or '0')
    if theirs > ours then
      redis.call('SET', KEYS[i], theirs, 'PX', tonumber(ARGV[2 * i + 1]) + 3600000)
    end
  end
end
redis.call('HSET', KEYS[4], 'lastReconciledAt', ARGV[1])
return 1
`;

/** Pause until ARGV[1] unless a later pause is already set. KEYS: 1 pause. ARGV: until, now. */
export const PAUSE_LUA = `
local untilMs = tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > cur and untilMs > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', untilMs - tonumber(ARGV[2]) + 60000)
end
return 1
`;

/**
 * Gives back one grant whose request never left (see Governor.release): removes its member from
 * the sliding minute, one count from each window counter it was made in, returns one bucket token
 * (capped at burst) and one ledger count.
 * KEYS: 1 minute zset, 2 hour, 3 day, 4 month counters (of the windows the grant was made in),
 *       5 bucket hash, 6 ledger hash
 * ARGV: 1 member, 2 call kind, 3 now, 4 bucket rate per ms (0 = none), 5 burst
 * Returns 1 when the member was still in the minute (or there was none to find), else 0.
 */
export const RELEASE_LUA = `
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
for i = 2, 4 do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n > 0 then redis.call('DECR', KEYS[i]) end
end
local rate = tonumber(ARGV[4])
local burst = tonumber(ARGV[5])
if rate > 0 then
  local b = redis.call('HMGET', KEYS[5], 'tokens', 'at')
  if b[1] and b[2] then
    local now = tonumber(ARGV[3])
    local elapsed = now - tonumber(b[2])
    if elapsed < 0 then elapsed = 0 end
    local tokens = math.min(burst, tonumber(b[1]) + elapsed * rate + 1)
    redis.call('HSET', KEYS[5], 'tokens', tostring(tokens), 'at', ARGV[3])
  end
end
local k = tonumber(redis.call('HGET', KEYS[6], ARGV[2]) or '0')
if k > 0 then redis.call('HINCRBY', KEYS[6], ARGV[2], -1) end
return removed
`;

/** ARGV of ACQUIRE_LUA (after its KEYS) for one attempt. */
export function acquireArgs(input: {
  now: number;
  member: string;
  epoch: string;
  limits: QuotaLimits;
  reserve: number;
  kind: string;
}): Array<string | number> {
  const { now, limits, reserve } = input;
  const bucket = bucketParams(limits);
  const lim = (v: number | undefined) => (v === undefined ? -1 : v);
  const reserved = (w: 'day' | 'month') => {
    const v = limits[w];
    return v === undefined ? -1 : reservedLimit(v, w, reserve);
  };
  return [
    now,
    input.member,
    input.epoch,
    lim(limits.minute),
    minuteSpan(limits),
    lim(limits.hour),
    lim(limits.day),
    lim(limits.month),
    reserved('day'),
    reserved('month'),
    windowEnd('hour', now) - now,
    windowEnd('day', now) - now,
    windowEnd('month', now) - now,
    bucket ? bucket.ratePerMs : 0,
    bucket ? bucket.burst : 0,
    input.kind,
  ];
}

/** KEYS of RELEASE_LUA for a grant of `key` made at `at`. */
export function releaseKeys(names: RedisKeyNames, key: string, at: number): string[] {
  return [
    names.k(key, 'min'),
    ...CALENDAR_WINDOWS.map((w) => names.window(key, w, at)),
    names.k(key, 'bucket'),
    names.k(key, 'ledger'),
  ];
}

/** ARGV of RELEASE_LUA. */
export function releaseArgs(member: string, kind: string, now: number, limits: QuotaLimits): Array<string | number> {
  const bucket = bucketParams(limits);
  return [member, kind, now, bucket ? bucket.ratePerMs : 0, bucket ? bucket.burst : 0];
}

/** KEYS and ARGV of RECONCILE_LUA. */
export function reconcileKeysAndArgs(names: RedisKeyNames, key: string, now: number, report: ReconcileReport): Array<string | number> {
  const out: Array<string | number> = [...CALENDAR_WINDOWS.map((w) => names.window(key, w, now)), names.k(key, 'meta'), now];
  for (const w of CALENDAR_WINDOWS) out.push(report[w]?.used ?? -1, windowEnd(w, now) - now);
  return out;
}
