import { multipartBoundary } from '../http-util.js';
import { parseForm } from '../multipart.js';
import type { VtContext } from './context.js';
import { analysisDescriptor, fileView, objectView } from './build.js';
import { isZip } from './file-types.js';
import { EICAR_STRING, fileAnalysisId } from './ids.js';
import { relationshipPage } from './relationships.js';
import type { FileRecord } from './world.js';

const EICAR_MARKER = Buffer.from(EICAR_STRING, 'latin1');

function notFound(ctx: VtContext, id: string): void {
  ctx.error(404, 'NotFoundError', `File "${id}" not found`);
}

/** The found file behind a path id, or null after answering 404. */
function foundFile(ctx: VtContext, id: string): FileRecord | null {
  const record = ctx.world.file(id);
  if (!record || !ctx.world.fileProfile(record).found) {
    notFound(ctx, id);
    return null;
  }
  return record;
}

export function getFile(ctx: VtContext): void {
  const [id = ''] = ctx.params;
  const record = foundFile(ctx, id);
  if (record) ctx.json(200, { data: fileView(ctx, record) });
}

export function rescanFile(ctx: VtContext): void {
  const [id = ''] = ctx.params;
  const record = foundFile(ctx, id);
  if (!record) return;
  const date = Math.floor(ctx.nowMs / 1000);
  const analysisId = fileAnalysisId(record.hashes.md5, date);
  ctx.world.addAnalysis({ id: analysisId, kind: 'file', itemId: record.hashes.sha256, createdMs: ctx.nowMs, date });
  ctx.json(200, analysisDescriptor(ctx, analysisId));
}

export function fileRelationship(ctx: VtContext): void {
  const [id = '', relationship = ''] = ctx.params;
  const record = foundFile(ctx, id);
  if (!record) return;
  const page = relationshipPage({
    origin: ctx.origin,
    collection: 'files',
    parentKind: 'file',
    parentId: record.hashes.sha256,
    pathId: id,
    relationship,
    query: ctx.url.searchParams,
    build: (kind, itemId, url) => objectView(ctx, kind, itemId, url),
  });
  if (page.ok) ctx.json(200, page.body);
  else ctx.error(page.status, page.code, page.message);
}

/** `GET /files/upload_url`: a one-time absolute URL on this simulator. */
export function uploadUrl(ctx: VtContext): void {
  const token = ctx.world.issueUploadToken(ctx.key, ctx.nowMs);
  ctx.json(200, { data: `${ctx.origin}/_upload/${token}` });
}

/**
 * Receives a multipart upload (`file` part, optional `password`), hashing the file as it streams.
 * The file becomes known with its real hashes; the answer is an analysis descriptor.
 */
export async function receiveUpload(ctx: VtContext, maxFileBytes: number): Promise<void> {
  const boundary = multipartBoundary(ctx.req.headers['content-type']);
  if (!boundary) {
    ctx.req.resume();
    ctx.error(400, 'BadRequestError', 'Expected a multipart/form-data body with a "file" part');
    return;
  }
  const form = await parseForm(ctx.req, boundary, { fileField: 'file', maxFileBytes, marker: EICAR_MARKER });
  const file = form.file;
  if (!file) {
    ctx.error(400, 'BadRequestError', 'No file was submitted: the form needs a "file" part');
    return;
  }
  const password = form.fields.password;
  if (password !== undefined && password !== '' && !isZip(file.head)) {
    ctx.error(400, 'BadRequestError', 'A password was given but the file is not a ZIP file');
    return;
  }
  const nowMs = ctx.clock.now();
  const date = Math.floor(nowMs / 1000);
  const record = ctx.world.registerUpload(file, date);
  const analysisId = fileAnalysisId(record.hashes.md5, date);
  ctx.world.addAnalysis({ id: analysisId, kind: 'file', itemId: record.hashes.sha256, createdMs: nowMs, date });
  ctx.json(200, analysisDescriptor(ctx, analysisId));
}

export function postFile(ctx: VtContext): Promise<void> {
  return receiveUpload(ctx, ctx.maxDirectUploadBytes);
}
