/** Hostile content: archive scans, scan-from-URL (SSRF-guarded) and the local YARA rules. */
import { z } from 'zod';
import { type ArchiveLimits, DEFAULT_LIMITS, type UploadPolicy } from '../../archives/index.js';
import { FetchFailedError, FetchRefusedError } from '../../fetch/index.js';
import { assertBudget } from '../budget.js';
import { HttpError } from '../errors.js';
import { type RouteDef, route } from '../route.js';
import type { AppDeps, Principal } from '../types.js';
import { validate } from '../middleware/body.js';
import { receiveUpload } from '../middleware/upload.js';

const tenantOf = (p: Principal) => p.tokenId ?? 'local';

/**
 * The upload policy of one request. An admin's setting for the token wins: the one stored with it
 * (`vtg token update --upload-policy`), else the config file's `content.tokenUploads` by token name.
 * A caller may opt in with upload_unknown unless its token is set to `never`.
 */
export async function uploadsFor(deps: AppDeps, principal: Principal, asked: boolean): Promise<UploadPolicy | undefined> {
  const stored = principal.tokenId ? await deps.gateway.tokens.uploadPolicy(principal.tokenId) : null;
  const set = stored ?? (principal.tokenId ? deps.gateway.config.content.tokenUploads[principal.name] : undefined);
  if (asked && set === 'never') throw new HttpError(403, 'UploadsNotAllowed', 'uploads are switched off for this token');
  if (asked) return set === 'always' ? 'always' : 'unknown-only';
  return set;
}
/** Limits a caller may ask for: tighter than the server's, never looser. */
const limitsSchema = z
  .object({
    maxDepth: z.number().int().min(0),
    maxTotalBytes: z.number().int().positive(),
    maxEntryBytes: z.number().int().positive(),
    maxRatio: z.number().positive(),
    maxEntries: z.number().int().min(0),
    timeoutMs: z.number().int().positive(),
  })
  .partial()
  .strict();

function tighter(asked: z.infer<typeof limitsSchema> | undefined): Partial<ArchiveLimits> {
  const out: Partial<Record<keyof ArchiveLimits, number>> = {};
  for (const [k, v] of Object.entries(asked ?? {}) as Array<[keyof ArchiveLimits, number | undefined]>) {
    if (v !== undefined) out[k] = Math.min(v, DEFAULT_LIMITS[k]);
  }
  return out;
}

function limitsField(raw: string | undefined): Partial<ArchiveLimits> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'BadRequest', 'form field limits: not JSON');
  }
  return tighter(validate(limitsSchema, parsed, 'form field limits'));
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
        no_lookup: z.enum(['true', 'false']).optional().describe('hash and YARA only: no lookups, no quota spent'),
        limits: z.string().max(1024).optional().describe('JSON {maxDepth,maxTotalBytes,maxEntryBytes,maxRatio,maxEntries,timeoutMs}: tighter than the server\'s limits, never looser'),
      }),
    },
    responses: { 400: 'Bad multipart body or no `file` part', 413: 'The file is too large', 429: 'Quota or budget spent' },
    handler: async ({ c, deps, principal, signal }) => {
      await assertBudget(deps, principal);
      const upload = await receiveUpload(c, { maxBytes: deps.limits.uploadBytes, dir: deps.uploadDir });
      try {
        const result = await deps.gateway.scanArchive(upload.path, {
          name: upload.filename || 'upload',
          passwords: passwordsOf(upload.fields.password),
          noLookup: upload.fields.no_lookup === 'true',
          limits: limitsField(upload.fields.limits),
          uploads: await uploadsFor(deps, principal, upload.fields.upload_unknown === 'true'),
          tenant: tenantOf(principal),
          signal,
        });
        return c.json(result);
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
        no_lookup: z.boolean().optional(),
        limits: limitsSchema.optional().describe('tighter than the server\'s limits, never looser'),
      }),
    },
    responses: { 400: 'Refused URL (scheme, private address, size) with the reason', 502: 'The remote server failed or timed out', 429: 'Quota or budget spent' },
    handler: async ({ c, deps, principal, body, signal }) => {
      await assertBudget(deps, principal);
      try {
        const result = await deps.gateway.content.scanFetch(body.url, {
          passwords: body.passwords ?? [],
          noLookup: body.no_lookup === true,
          limits: tighter(body.limits),
          uploads: await uploadsFor(deps, principal, body.upload_unknown === true),
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
