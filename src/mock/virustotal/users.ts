import { createHash } from 'node:crypto';
import type { VtContext } from './context.js';

/**
 * The `/users/{id}` endpoints answer for the calling key, whatever user id or key the path names.
 * In this simulator they are free (do not use quota); whether they are free on VirusTotal is unconfirmed.
 */

/** The user id to show: never an API key (the caller's, a configured one, or anything key-shaped). */
function userId(ctx: VtContext, pathId: string): string {
  if (pathId === ctx.key || /^[0-9a-fA-F]{64}$/.test(pathId) || pathId.length > 64) {
    return `mock-user-${createHash('sha256').update(ctx.key).digest('hex').slice(0, 10)}`;
  }
  return pathId;
}

function quotas(ctx: VtContext): Record<string, { allowed: number; used: number }> {
  const limits = ctx.quota.limitsOf(ctx.key);
  const used = ctx.quota.used(ctx.key, ctx.clock.now());
  return {
    api_requests_hourly: { allowed: limits.hour, used: used.hour },
    api_requests_daily: { allowed: limits.day, used: used.day },
    api_requests_monthly: { allowed: limits.month, used: used.month },
  };
}

/** `GET /users/{id}/overall_quotas`: `{data: {api_requests_hourly|daily|monthly: {user: {allowed, used}}}}`. */
export function overallQuotas(ctx: VtContext): void {
  const data = Object.fromEntries(Object.entries(quotas(ctx)).map(([name, user]) => [name, { user }]));
  ctx.json(200, { data });
}

/** `GET /users/{id}`: a user object with `attributes.quotas`. */
export function getUser(ctx: VtContext): void {
  const id = userId(ctx, ctx.params[0] ?? '');
  ctx.json(200, {
    data: {
      type: 'user',
      id,
      links: { self: `${ctx.origin}/api/v3/users/${encodeURIComponent(id)}` },
      attributes: {
        first_name: 'Mock',
        last_name: 'User',
        has_2fa: false,
        status: 'active',
        reputation: 1,
        user_since: 1_577_836_800,
        last_login: Math.floor(ctx.nowMs / 1000),
        quotas: quotas(ctx),
      },
    },
  });
}

const DAY_MS = 86_400_000;

function parseDay(text: string): number | null {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(t) || new Date(t).getUTCDate() !== Number(m[3]) ? null : t;
}

/**
 * `GET /users/{id}/api_usage?start_date=&end_date=` (YYYYMMDD or YYYY-MM-DD): requests per UTC day
 * and endpoint group, `{data: {daily: {"YYYY-MM-DD": {"/api/v3/(files)": N}}, total: {...}}}`.
 * Default: the last 30 days; a longer range is refused, as VirusTotal does.
 */
export function apiUsage(ctx: VtContext): void {
  const today = Math.floor(ctx.clock.now() / DAY_MS) * DAY_MS;
  const startText = ctx.url.searchParams.get('start_date');
  const endText = ctx.url.searchParams.get('end_date');
  const end = endText ? parseDay(endText) : today;
  const start = startText ? parseDay(startText) : (end ?? today) - 29 * DAY_MS;
  if (start === null || end === null) {
    ctx.error(400, 'InvalidArgumentError', 'start_date and end_date must be dates as YYYYMMDD');
    return;
  }
  if (end < start) {
    ctx.error(400, 'InvalidArgumentError', 'end_date is before start_date');
    return;
  }
  if ((end - start) / DAY_MS + 1 > 30) {
    ctx.error(400, 'InvalidArgumentError', 'The date range cannot be longer than 30 days');
    return;
  }
  const daily: Record<string, Record<string, number>> = {};
  const total: Record<string, number> = {};
  for (let t = start; t <= end; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const counts = ctx.usage.day(ctx.key, day);
    daily[day] = counts;
    for (const [group, n] of Object.entries(counts)) total[group] = (total[group] ?? 0) + n;
  }
  ctx.json(200, { data: { daily, total } });
}
