/** File uploads, URL submissions, rescans and analyses (clients poll the gateway, which polls upstream sparingly). */
import { z } from 'zod';
import type { ScanResult } from '../../gateway/index.js';
import { answerPermalink, permalinkOf, sha256Hex } from '../../indicators/index.js';
import { assertBudget, spend } from '../budget.js';
import { assertQuotaNow } from '../quota-gate.js';
import { validate } from '../middleware/body.js';
import { jsonResponse } from '../respond.js';
import { type RouteDef, route } from '../route.js';
import { boolish, priority } from '../schemas.js';
import { lookupResultJson } from '../serialize.js';
import type { Principal } from '../types.js';
import { receiveUpload } from '../middleware/upload.js';
import { uploadsFor } from './content.js';

const MAX_ANALYSIS_WAIT_S = 60;

const analysisId = z
  .string()
  .min(8)
  .max(300)
  .regex(/^[A-Za-z0-9+/=_:-]+$/, 'not an analysis id');

const priorityField = priority.optional().describe('Queue priority of the upstream call (default interactive)');

/** A scan answer: the ScanResult, plus where to poll its analysis. */
function scanAnswer(result: ScanResult, extra: Record<string, unknown> = {}) {
  // the object's page on VirusTotal: from the known report, else from what was submitted (a URL by its id)
  const permalink = result.report ? answerPermalink(result.report) : permalinkOf(result.kind, result.kind === 'url' ? sha256Hex(result.target) : result.target);
  return { ...result, ...extra, permalink, ...(result.analysisId ? { analysis: `/api/analyses/${encodeURIComponent(result.analysisId)}` } : {}) };
}

const tenantOf = (p: Principal) => p.tokenId ?? 'local';

export const scanRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/api/scan/file',
    summary: 'Upload a file (multipart `file`, up to 650 MB, streamed to disk). Known files are answered from their report unless force=true; local YARA rules run on it (answer `yara`, recorded in history)',
    tag: 'scans',
    access: 'analyst',
    query: z.object({ force: boolish.optional() }),
    body: {
      type: 'upload',
      fields: z.object({
        file: z.string().describe('the file (binary)'),
        password: z.string().max(256).optional().describe('password of an encrypted ZIP'),
        force: z.enum(['true', 'false']).optional().describe('upload even when VirusTotal knows the file'),
        priority: priorityField,
      }),
    },
    responses: { 400: 'Bad multipart body, no `file` part, or a bad priority', 413: 'The file is larger than 650 MB', 429: 'Quota or budget spent' },
    handler: async ({ c, deps, principal, query, signal }) => {
      await assertBudget(deps, principal);
      await assertQuotaNow(deps);
      const upload = await receiveUpload(c, { maxBytes: deps.limits.uploadBytes, dir: deps.uploadDir });
      try {
        const fields = validate(z.object({ priority: priorityField }), { priority: upload.fields.priority }, 'form');
        const force = query.force ?? upload.fields.force === 'true';
        const password = upload.fields.password || undefined;
        // An admin's upload policy for the token: `never` answers by hash only, `always` uploads known files too.
        const policy = await uploadsFor(deps, principal, false);
        const result = await deps.gateway.scanFile(upload.path, {
          force: force || policy === 'always',
          upload: policy !== 'never',
          ...(password ? { password } : {}),
          filename: upload.filename,
          priority: fields.priority,
          tenant: tenantOf(principal),
          signal,
        });
        if (result.submitted) await spend(deps, principal);
        return c.json(scanAnswer(result, { size: upload.size }));
      } finally {
        await upload.cleanup();
      }
    },
  }),
  route({
    method: 'post',
    path: '/api/scan/url',
    summary: 'Submit a URL for analysis (JSON {url, priority?})',
    tag: 'scans',
    access: 'analyst',
    body: { type: 'json', schema: z.object({ url: z.string().min(1).max(8192), priority: priorityField }) },
    responses: { 400: 'Not a URL', 429: 'Quota or budget spent' },
    handler: async ({ c, deps, principal, body, signal }) => {
      await assertBudget(deps, principal);
      await assertQuotaNow(deps);
      const result = await deps.gateway.scanUrl(body.url, { priority: body.priority, tenant: tenantOf(principal), signal });
      if (result.submitted) await spend(deps, principal);
      return c.json(scanAnswer(result));
    },
  }),
  route({
    method: 'post',
    path: '/api/rescan',
    summary: 'Rescan a known file (by hash) or a URL (the URL, or its id with kind=url) -> ScanResult with the analysis to poll',
    description: 'A 64-hex indicator is read as a file sha256 unless kind is url (then it is a VirusTotal URL id).',
    tag: 'scans',
    access: 'analyst',
    body: {
      type: 'json',
      schema: z.object({
        indicator: z.string().min(1).max(8192),
        kind: z.enum(['file', 'url']).optional().describe('What the indicator is (default: classified from its form)'),
        priority: priorityField,
      }),
    },
    responses: { 400: 'Not a file hash or a URL', 404: 'VirusTotal does not know the file or URL', 429: 'Quota or budget spent' },
    handler: async ({ c, deps, principal, body, signal }) => {
      await assertBudget(deps, principal);
      await assertQuotaNow(deps);
      const result = await deps.gateway.rescan(body.indicator, {
        ...(body.kind ? { kind: body.kind } : {}),
        priority: body.priority,
        tenant: tenantOf(principal),
        signal,
      });
      if (result.submitted) await spend(deps, principal);
      return c.json(scanAnswer(result));
    },
  }),
  route({
    method: 'get',
    path: '/api/analyses/{id}/item',
    honoPath: '/api/analyses/:id{.+}/item',
    summary: 'The file or URL an analysis is about, as a lookup answer (fetched fresh until the analysis completes)',
    tag: 'scans',
    access: 'analyst',
    params: z.object({ id: analysisId }),
    responses: { 429: 'Quota or budget spent' },
    handler: async ({ c, deps, principal, params }) => {
      await assertBudget(deps, principal);
      await assertQuotaNow(deps);
      const result = await deps.gateway.analysisItem(params.id);
      if (result.source === 'upstream') await spend(deps, principal);
      return jsonResponse(c, lookupResultJson(result), 200, { 'x-vtg-source': result.source });
    },
  }),
  route({
    method: 'get',
    path: '/api/analyses/{id}',
    honoPath: '/api/analyses/:id{.+}',
    summary: 'An analysis; ?wait=N waits up to N seconds (max 60) for it to complete. Poll freely: upstream is polled sparingly',
    tag: 'scans',
    access: 'analyst',
    params: z.object({ id: analysisId }),
    query: z.object({ wait: z.coerce.number().min(0).max(MAX_ANALYSIS_WAIT_S).optional() }),
    handler: async ({ c, deps, params, query, signal }) => {
      const view = await deps.gateway.analysis(params.id, { waitMs: (query.wait ?? 0) * 1000, signal });
      return c.json(view);
    },
  }),
];
