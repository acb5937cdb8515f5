/** `GET /api/v3/users/{id}/overall_quotas`: the gateway's own quota view in VirusTotal's shape. */
import { z } from 'zod';
import { type RouteDef, route } from '../route.js';

export const v3UserRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/v3/users/{id}/overall_quotas',
    summary: "The gateway's quota view as api_requests_{hourly,daily,monthly}.user.{allowed,used}",
    tag: 'virustotal-v3',
    access: 'reader',
    params: z.object({ id: z.string().min(1).max(200) }),
    handler: async ({ c, deps }) => {
      const q = await deps.gateway.quota('virustotal');
      const window = (name: string) => q.windows.find((w) => w.window === name);
      const minute = window('minute');
      const pick = (name: 'hour' | 'day' | 'month') => {
        const w = window(name);
        if (w) return { user: { allowed: w.limit, used: w.used } };
        if (name === 'hour' && minute) return { user: { allowed: minute.limit * 60, used: 0 } };
        return undefined;
      };
      const data: Record<string, unknown> = {};
      const hourly = pick('hour');
      const daily = pick('day');
      const monthly = pick('month');
      if (hourly) data.api_requests_hourly = hourly;
      if (daily) data.api_requests_daily = daily;
      if (monthly) data.api_requests_monthly = monthly;
      return c.json({ data });
    },
  }),
];
