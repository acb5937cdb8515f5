/** Relationships and collections, `GET /api/v3/{collection}/{id}/{relationship}`, passed through the scheduler. */
import { z } from 'zod';
import { assertBudget, spend } from '../budget.js';
import { forbidden } from '../middleware/auth.js';
import { indicatorOfKind } from '../indicator-input.js';
import { type RouteDef, route } from '../route.js';
import { COLLECTION_KIND, type Collection } from './objects.js';
import { rawAnswer } from './raw-answer.js';

/** Relationship names that are not JSON collections (binary downloads) or not reads. */
const REFUSED = new Set(['download', 'download_url', 'analyse', 'comments_add', 'votes_add']);

function vtId(collection: Collection, raw: string): string {
  const ind = indicatorOfKind(raw, COLLECTION_KIND[collection].kind);
  if (collection !== 'urls') return ind.id;
  return ind.value === ind.id ? ind.id : (ind.vtUrlId ?? ind.id);
}

export const v3CollectionRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/v3/{collection}/{id}/{relationship}',
    honoPath: '/api/v3/:collection{files|urls|domains|ip_addresses}/:id/:relationship',
    summary: 'A relationship collection (e.g. files/{id}/contacted_domains); meta.cursor and an absolute links.next on the gateway',
    tag: 'virustotal-v3',
    access: 'analyst',
    params: z.object({
      collection: z.enum(['files', 'urls', 'domains', 'ip_addresses']),
      id: z.string().min(1).max(8192),
      relationship: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,63}$/, 'not a relationship name')
        .refine((r) => !REFUSED.has(r), 'this relationship is not served through the gateway'),
    }),
    query: z.object({
      limit: z.coerce.number().int().min(1).max(40).optional(),
      cursor: z.string().max(2000).optional(),
    }),
    handler: async ({ c, deps, principal, params, query, signal }) => {
      if (principal.role === 'reader') throw forbidden('v3', 'reader tokens cannot make upstream calls');
      await assertBudget(deps, principal);
      const id = vtId(params.collection, params.id);
      const q: Record<string, string> = {};
      if (query.limit !== undefined) q.limit = String(query.limit);
      if (query.cursor !== undefined) q.cursor = query.cursor;
      const answer = await deps.gateway.vtRaw('GET', `/${params.collection}/${encodeURIComponent(id)}/${params.relationship}`, { query: q }, {
        tenant: principal.tokenId ?? 'local',
        signal,
      });
      await spend(deps, principal);
      return rawAnswer(c, answer);
    },
  }),
];
