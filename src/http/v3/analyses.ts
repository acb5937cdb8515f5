/** Analyses and their items; clients may poll as often as they like, the gateway polls upstream sparingly. */
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { type RouteDef, route } from '../route.js';
import { requestOrigin, rewriteLinks } from './links.js';

const analysisId = z
  .string()
  .min(8)
  .max(300)
  .regex(/^[A-Za-z0-9+/=_-]+$/, 'not an analysis id');

export const v3AnalysisRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/v3/analyses/{id}/item',
    honoPath: '/api/v3/analyses/:id{.+}/item',
    summary: 'The file or URL object an analysis is about',
    tag: 'virustotal-v3',
    access: 'analyst',
    params: z.object({ id: analysisId }),
    handler: async ({ c, deps, params }) => {
      const result = await deps.gateway.analysisItem(params.id);
      const data = result.report.data;
      if (!result.report.found || !data || typeof data !== 'object') throw new HttpError(404, 'NotFoundError', `Item of analysis "${params.id}" not found`);
      return c.json({ data: rewriteLinks(data, requestOrigin(c)) });
    },
  }),
  route({
    method: 'get',
    path: '/api/v3/analyses/{id}',
    honoPath: '/api/v3/analyses/:id{.+}',
    summary: 'An analysis object (queued, in-progress, completed) with meta.file_info / meta.url_info',
    tag: 'virustotal-v3',
    access: 'analyst',
    params: z.object({ id: analysisId }),
    handler: async ({ c, deps, params, signal }) => {
      const view = await deps.gateway.analysis(params.id, { signal });
      if (!view.raw || typeof view.raw !== 'object') throw new HttpError(404, 'NotFoundError', `Analysis "${params.id}" not found`);
      return c.json(rewriteLinks(view.raw, requestOrigin(c)));
    },
  }),
];
