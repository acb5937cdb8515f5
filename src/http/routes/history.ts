/** Verdict history: one indicator's observations and changes, recent observations, recent changes. */
import { z } from 'zod';
import { type RouteDef, route } from '../route.js';
import { limitParam, providerName, sinceQuery } from '../schemas.js';

const historyQuery = z.object({ provider: providerName.optional(), limit: limitParam(1000) });

export const historyRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/history/recent',
    summary: 'Latest observations (any indicator), newest first',
    tag: 'history',
    access: 'reader',
    query: sinceQuery,
    handler: async ({ c, deps, query }) => c.json({ observations: await deps.gateway.recentHistory({ limit: query.limit ?? 50, since: query.since }) }),
  }),
  route({
    method: 'get',
    path: '/api/history/changes',
    summary: 'Latest verdict changes, newest first',
    tag: 'history',
    access: 'reader',
    query: sinceQuery,
    handler: async ({ c, deps, query }) => c.json({ changes: await deps.gateway.changes({ limit: query.limit ?? 50, since: query.since }) }),
  }),
  route({
    method: 'get',
    path: '/api/history',
    summary: 'One indicator given as ?q=: its observations and changes',
    tag: 'history',
    access: 'reader',
    query: historyQuery.extend({ q: z.string().min(1).max(8192) }),
    handler: async ({ c, deps, query }) => c.json(await deps.gateway.history(query.q, { provider: query.provider, limit: query.limit })),
  }),
  route({
    method: 'get',
    path: '/api/history/{indicator}',
    honoPath: '/api/history/:indicator{.+}',
    summary: 'One indicator: its observations and changes',
    tag: 'history',
    access: 'reader',
    params: z.object({ indicator: z.string().min(1).max(8192) }),
    query: historyQuery,
    handler: async ({ c, deps, params, query }) =>
      c.json(await deps.gateway.history(params.indicator, { provider: query.provider, limit: query.limit })),
  }),
];
