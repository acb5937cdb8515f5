/** Hostile content: archive scans, scan-from-URL (SSRF-guarded) and the local YARA rules. */
import { z } from 'zod';
import type { UploadPolicy } from '../../archives/index.js';
import { FetchFailedError, FetchRefusedError } from '../../fetch/index.js';
import { assertBudget } from '../budget.js';
import { HttpError } from '../errors.js';
import { type RouteDef, route } from '../route.js';
import type { Principal } from '../types.js';
import { receiveUpload } from '../middleware/upload.js';

const tenantOf = (p: Principal) => p.tokenId ?? 'local';

/**
 * The upload policy of one request: an admin's per-token setting (config `content.tokenUploads`)
 * wins; a caller may opt in with upload_unknown unless its token is set to `never`.
 */
function uploadsFor(deps: { gateway: { config: { content: { tokenUploads: Record<string, UploadPolicy> } } } }, principal: Principal, asked: boolean): UploadPolicy | undefined {
  const set = principal.tokenId ? deps.gateway.config.content.tokenUploads[principal.name] : undefined;
  if (asked && set === 'never') throw new HttpError(403, 'UploadsNotAllowed', 'uploads are switched off for this token');
  if (asked) return set === 'always' ? 'always' : 'unknown-only';
  return set;
}
const passwordsOf = (raw: string | undefined) => (raw ? raw.split('\n').map((s) => s.trim()).filter(Boolean).slice(0, 32) : []);

export const contentRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/api/scan/archive',
    summary: 'Scan an archive (multipart `file`): members hashed in memory under limits, looked up by hash, YARA-scanned; never uploaded unless upload_unknown=true',
    description:
      'Answer: {archive:{path,sha256,size,format}, members:[{path,sha256,sha1,md5,size,depth,type,verdict,detections,yara}], findings:[{kind,path,message,limit?}], complete}. ' +
      'A finding (traversal, bomb limit, encrypted, corrupt) is a result, not an error. Uploads are shared by VirusTotal with its partners.',
    tag: 'scans',
    access: 'analyst',
    body: {
      type: 'upload',
      fields: z.object({
        file: z.string().describe('the archive (binary)'),
        password: z.string().max(4096).optional().describe('passwords to try, one per line (then `infected`)'),
        upload_unknown: z.enum(['true', 'false']).optional().describe('upload members VirusTotal does not know'),
      }),
    },
    responses: { 400: 'Bad multipart body or no `file` part', 413: 'The file is too large', 429: 'Quota or budget spent' },
    handler: async ({ c, deps, principal, signal }) => {
      await assertBudget(deps, principal);
      const upload = await receiveUpload(c, { maxBytes: deps.limits.uploadBytes, dir: deps.uploadDir });
      try {
        const result = await deps.gateway.scanArchive(upload.path, {
          passwords: passwordsOf(upload.fields.password),
          uploads: uploadsFor(deps, principal, upload.fields.upload_unknown === 'true'),
          tenant: tenantOf(principal),
          signal,
        });
        return c.json({ ...result, archive: { ...result.archive, path: upload.filename || 'upload' } });
      } finally {
        await upload.cleanup();
      }
    },
  }),
  route({
    method: 'post',
    path: '/api/scan/file-url',
    summary: 'Fetch a file from an http(s) URL (presigned S3/MinIO links work) and scan it like an archive; private destinations are refused before connecting',
    description: 'Every resolved address is checked on the first hop and on each redirect; the size cap and timeout are the server\'s (VTG_FETCH_MAX_MB, VTG_FETCH_TIMEOUT).',
    tag: 'scans',
    access: 'analyst',
    body: {
      type: 'json',
      schema: z.object({
        url: z.string().min(1).max(2048),
        passwords: z.array(z.string().max(256)).max(32).optional(),
        upload_unknown: z.boolean().optional(),
      }),
    },
    responses: { 400: 'Refused URL (scheme, private address, size) with the reason', 502: 'The remote server failed or timed out', 429: 'Quota or budget spent' },
    handler: async ({ c, deps, principal, body, signal }) => {
      await assertBudget(deps, principal);
      try {
        const result = await deps.gateway.content.scanFetch(body.url, {
          passwords: body.passwords ?? [],
          uploads: uploadsFor(deps, principal, body.upload_unknown === true),
          tenant: tenantOf(principal),
          signal,
        });
        return c.json(result);
      } catch (err) {
        if (err instanceof FetchRefusedError) throw new HttpError(400, err.code, err.message);
        if (err instanceof FetchFailedError) throw new HttpError(502, err.code, err.message);
        throw err;
      }
    },
  }),
  route({
    method: 'get',
    path: '/api/yara/rules',
    summary: 'The local YARA rules in use (VTG_YARA_DIR): files, rules with tags, when loaded, the last compile error',
    tag: 'scans',
    access: 'reader',
    handler: async ({ c, deps }) => {
      const rules = deps.gateway.content.yara();
      return c.json(rules ? rules.status() : { dir: null, files: 0, rules: [], loadedAt: null, error: null });
    },
  }),
];
