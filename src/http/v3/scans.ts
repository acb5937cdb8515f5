/** VirusTotal-compatible uploads, URL submissions and rescans. Successful POSTs answer 200 (vt-py treats 201 as an error). */
import { z } from 'zod';
import { assertBudget, spend } from '../budget.js';
import { assertQuotaNow } from '../quota-gate.js';
import { HttpError } from '../errors.js';
import { urlIndicator } from '../indicator-input.js';
import { type RouteDef, type RouteInput, route } from '../route.js';
import type { Principal } from '../types.js';
import { receiveUpload } from '../middleware/upload.js';
import { uploadsFor } from '../routes/content.js';
import { analysisDescriptor, requestOrigin } from './links.js';

const uploadFields = z.object({
  file: z.string().describe('the file (binary)'),
  password: z.string().max(256).optional().describe('password of an encrypted ZIP'),
});

async function uploadAndScan(input: RouteInput<unknown, unknown, unknown>, principal: Principal): Promise<Response> {
  const { c, deps, signal } = input;
  if (principal.role === 'reader') throw new HttpError(403, 'ForbiddenError', 'reader tokens cannot upload files');
  if ((await uploadsFor(deps, principal, false)) === 'never') throw new HttpError(403, 'ForbiddenError', 'uploads are switched off for this token');
  await assertBudget(deps, principal);
  await assertQuotaNow(deps);
  const upload = await receiveUpload(c, { maxBytes: deps.limits.uploadBytes, dir: deps.uploadDir });
  try {
    const password = upload.fields.password || undefined;
    const result = await deps.gateway.scanFile(upload.path, {
      force: true,
      ...(password ? { password } : {}),
      filename: upload.filename,
      tenant: principal.tokenId ?? 'local',
      signal,
    });
    if (result.submitted) await spend(deps, principal);
    if (!result.analysisId) throw new HttpError(502, 'TransientError', 'the upload was not accepted upstream');
    return c.json(analysisDescriptor(result.analysisId, requestOrigin(c)));
  } finally {
    await upload.cleanup();
  }
}

export const v3ScanRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/v3/files/upload_url',
    summary: 'A one-time upload URL on the gateway itself (vt-py always uploads through one)',
    tag: 'virustotal-v3',
    access: 'analyst',
    handler: ({ c, deps, principal }) => {
      const token = deps.uploads.issue(principal);
      return c.json({ data: `${requestOrigin(c)}/api/v3/_upload/${token}` });
    },
  }),
  route({
    method: 'post',
    path: '/api/v3/_upload/{token}',
    summary: 'Upload target of a one-time upload URL (multipart `file`, up to 650 MB, streamed to disk)',
    tag: 'virustotal-v3',
    access: 'public',
    params: z.object({ token: z.string().min(1).max(100) }),
    body: { type: 'upload', fields: uploadFields },
    responses: { 404: 'Unknown, used or expired upload URL' },
    handler: (input) => {
      const principal = input.deps.uploads.take(input.params.token);
      if (!principal) throw new HttpError(404, 'NotFoundError', 'this upload URL is unknown, expired or already used');
      return uploadAndScan(input, principal);
    },
  }),
  route({
    method: 'post',
    path: '/api/v3/files',
    summary: 'Upload a file for analysis (multipart `file`, optional `password`) -> analysis descriptor',
    tag: 'virustotal-v3',
    access: 'analyst',
    body: { type: 'upload', fields: uploadFields },
    handler: (input) => uploadAndScan(input, input.principal),
  }),
  route({
    method: 'post',
    path: '/api/v3/urls',
    summary: 'Submit a URL (form field `url`, urlencoded or multipart) -> analysis descriptor',
    tag: 'virustotal-v3',
    access: 'analyst',
    body: { type: 'form', schema: z.object({ url: z.string().min(1).max(8192) }) },
    handler: async ({ c, deps, principal, body, signal }) => {
      await assertBudget(deps, principal);
      await assertQuotaNow(deps);
      const result = await deps.gateway.scanUrl(body.url, { tenant: principal.tokenId ?? 'local', signal });
      if (result.submitted) await spend(deps, principal);
      if (!result.analysisId) throw new HttpError(502, 'TransientError', 'the URL was not accepted upstream');
      return c.json(analysisDescriptor(result.analysisId, requestOrigin(c)));
    },
  }),
  route({
    method: 'post',
    path: '/api/v3/files/{id}/analyse',
    summary: 'Rescan a known file -> analysis descriptor',
    tag: 'virustotal-v3',
    access: 'analyst',
    params: z.object({ id: z.string().regex(/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/, 'not a file hash') }),
    handler: async ({ c, deps, principal, params, signal }) => {
      await assertBudget(deps, principal);
      await assertQuotaNow(deps);
      const result = await deps.gateway.rescan(params.id, { kind: 'file', tenant: principal.tokenId ?? 'local', signal });
      await spend(deps, principal);
      if (!result.analysisId) throw new HttpError(502, 'TransientError', 'the rescan was not accepted upstream');
      return c.json(analysisDescriptor(result.analysisId, requestOrigin(c)));
    },
  }),
  route({
    method: 'post',
    path: '/api/v3/urls/{id}/analyse',
    summary: 'Rescan a URL (id: sha256 or unpadded base64url of the URL) -> analysis descriptor',
    tag: 'virustotal-v3',
    access: 'analyst',
    params: z.object({ id: z.string().min(1).max(8192) }),
    handler: async ({ c, deps, principal, params, signal }) => {
      await assertBudget(deps, principal);
      await assertQuotaNow(deps);
      const indicator = urlIndicator(params.id);
      // by its sha256 when that is all the client gave (the gateway reads a 64-hex URL id as such), else by the URL
      const target = indicator.value === indicator.id ? indicator.id : indicator.value;
      const result = await deps.gateway.rescan(target, { kind: 'url', tenant: principal.tokenId ?? 'local', signal });
      await spend(deps, principal);
      if (!result.analysisId) throw new HttpError(502, 'TransientError', 'the rescan was not accepted upstream');
      return c.json(analysisDescriptor(result.analysisId, requestOrigin(c)));
    },
  }),
];
