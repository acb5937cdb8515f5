/** Watchlists (named lists of indicators re-checked when due) and one harvest by hand (`POST /api/refresh`). */
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { type RouteDef, route } from '../route.js';

const watchlistName = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a watchlist name is 1..64 letters, digits, ".", "_", "-"');

export const watchlistRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/watchlists',
    summary: 'Every watchlist with its item count and re-check interval',
    tag: 'watchlists',
    access: 'reader',
    handler: async ({ c, deps }) => c.json({ watchlists: await deps.gateway.watchlists.list() }),
  }),
  route({
    method: 'post',
    path: '/api/watchlists',
    summary: 'Add indicators to a watchlist (created when missing); everyMs sets its re-check interval (default one day)',
    description: 'Invalid indicators are reported in `invalid`, never fail the request. A changed verdict of a listed indicator emits verdict.changed with `watchlists` naming its lists.',
    tag: 'watchlists',
    access: 'analyst',
    body: {
      type: 'json',
      schema: z.object({
        name: watchlistName,
        indicators: z.array(z.string().max(8192)).min(1).max(100_000),
        everyMs: z.number().int().min(60_000).max(366 * 86_400_000).optional(),
      }),
    },
    status: 201,
    handler: async ({ c, deps, body }) => c.json(await deps.gateway.watchlists.add(body.name, body.indicators, body.everyMs === undefined ? {} : { everyMs: body.everyMs }), 201),
  }),
  route({
    method: 'get',
    path: '/api/watchlists/{name}',
    summary: "A watchlist's items and when each was last checked",
    tag: 'watchlists',
    access: 'reader',
    params: z.object({ name: watchlistName }),
    responses: { 404: 'No such watchlist' },
    handler: async ({ c, deps, params }) => {
      const view = await deps.gateway.watchlists.show(params.name);
      if (!view) throw new HttpError(404, 'NotFound', `no watchlist named ${params.name}`);
      return c.json(view);
    },
  }),
  route({
    method: 'delete',
    path: '/api/watchlists/{name}',
    summary: 'Remove a watchlist',
    tag: 'watchlists',
    access: 'analyst',
    params: z.object({ name: watchlistName }),
    responses: { 404: 'No such watchlist' },
    handler: async ({ c, deps, params }) => {
      if (!await deps.gateway.watchlists.remove(params.name)) throw new HttpError(404, 'NotFound', `no watchlist named ${params.name}`);
      return c.json({ deleted: true });
    },
  }),
  route({
    method: 'get',
    path: '/api/quota/forecast',
    summary: "At the current pace (calls per hour over the last 6 h): when each quota window (minute aside) runs out, and how many calls are left at its next reset; plus what tonight's harvest may spend",
    tag: 'watchlists',
    access: 'reader',
    handler: async ({ c, deps }) => {
      const { forecast, ...harvest } = await deps.gateway.harvestBudget();
      return c.json({ ...(forecast ?? (await deps.gateway.forecast())), harvest });
    },
  }),
  route({
    method: 'post',
    path: '/api/cache/warm',
    summary: 'Look up a list at background priority, spending only the calls the day can spare (cached answers are free; the rest is skipped)',
    tag: 'watchlists',
    access: 'analyst',
    body: { type: 'json', schema: z.object({ indicators: z.array(z.string().max(8192)).min(1).max(100_000) }) },
    handler: async ({ c, deps, body, signal }) => c.json(await deps.gateway.cacheWarm(body.indicators, { signal })),
  }),
  route({
    method: 'post',
    path: '/api/refresh',
    summary: 'One harvest by hand: up to `budget` refreshes at background priority, best first, with the score and reason of each and the changes found',
    tag: 'watchlists',
    access: 'admin',
    body: { type: 'json', schema: z.object({ budget: z.number().int().min(0).max(100_000), dryRun: z.boolean().optional() }) },
    handler: async ({ c, deps, body, signal }) => c.json(await deps.gateway.refresh({ budget: body.budget, dryRun: body.dryRun === true, signal })),
  }),
];
