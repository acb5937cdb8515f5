/** File uploads, URL submissions and analyses (clients poll the gateway, which polls upstream sparingly). */
import { z } from 'zod';
import { assertBudget, spend } from '../budget.js';
import { type RouteDef, route } from '../route.js';
import { boolish } from '../schemas.js';
import { receiveUpload } from '../upload.js';

const MAX_ANALYSIS_WAIT_S = 60;

export const scanRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/api/scan/file',
    summary: 'Upload a file (multipart `file`, up to 650 MB, streamed to disk). Known files are answered from their report unless force=true',
    tag: 'scans',
    access: 'analyst',
    query: z.object({ force: boolish.optional() }),
    body: {
      type: 'upload',
      fields: z.object({
        file: z.string().describe('the file (binary)'),
        password: z.string().max(256).optional().describe('password of an encrypted ZIP'),
        force: z.enum(['true', 'false']).optional().describe('upload even when VirusTotal knows the file'),
      }),
    },
    responses: { 400: 'Bad multipart body or no `file` part', 413: 'The file is larger than 650 MB', 429: 'Quota or budget spent' },
    handler: async ({ c, deps, principal, query, signal }) => {
      assertBudget(deps, principal);
      const upload = await receiveUpload(c, { maxBytes: deps.limits.uploadBytes, dir: deps.uploadDir });
      try {
        const force = query.force ?? upload.fields.force === 'true';
        const password = upload.fields.password || undefined;
        const result = await deps.gateway.scanFile(upload.path, {
          force,
          ...(password ? { password } : {}),
          filename: upload.filename,
          tenant: principal.tokenId ?? 'local',
          signal,
        });
        if (result.submitted) spend(deps, principal);
        return c.json({ ...result, size: upload.size, ...(result.analysisId ? { analysis: `/api/analyses/${encodeURIComponent(result.analysisId)}` } : {}) });
      } finally {
        await upload.cleanup();
      }
    },
  }),
  route({
    method: 'post',
    path: '/api/scan/url',
    summary: 'Submit a URL for analysis (JSON {url} or a form)',
    tag: 'scans',
    access: 'analyst',
    body: { type: 'form', schema: z.object({ url: z.string().min(1).max(8192) }) },
    responses: { 400: 'Not a URL', 429: 'Quota or budget spent' },
    handler: async ({ c, deps, principal, body, signal }) => {
      assertBudget(deps, principal);
      const result = await deps.gateway.scanUrl(body.url, { tenant: principal.tokenId ?? 'local', signal });
      if (result.submitted) spend(deps, principal);
      return c.json({ ...result, ...(result.analysisId ? { analysis: `/api/analyses/${encodeURIComponent(result.analysisId)}` } : {}) });
    },
  }),
  route({
    method: 'get',
    path: '/api/analyses/{id}',
    honoPath: '/api/analyses/:id{.+}',
    summary: 'An analysis; ?wait=N waits up to N seconds (max 60) for it to complete. Poll freely: upstream is polled sparingly',
    tag: 'scans',
    access: 'analyst',
    params: z.object({ id: z.string().min(8).max(300).regex(/^[A-Za-z0-9+/=_:-]+$/, 'not an analysis id') }),
    query: z.object({ wait: z.coerce.number().min(0).max(MAX_ANALYSIS_WAIT_S).optional() }),
    handler: async ({ c, deps, params, query, signal }) => {
      const view = await deps.gateway.analysis(params.id, { waitMs: (query.wait ?? 0) * 1000, signal });
      return c.json(view);
    },
  }),
];
