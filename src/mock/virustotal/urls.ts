import { multipartBoundary, readBody } from '../http-util.js';
import { parseForm } from '../multipart.js';
import type { VtContext } from './context.js';
import { analysisDescriptor, objectView, urlView } from './build.js';
import { relationshipPage } from './relationships.js';

const MAX_URL_BODY = 64 * 1024;

/** The found URL behind a path id, or null after answering 404. */
function foundUrl(ctx: VtContext, pathId: string): { id: string; url: string | null } | null {
  const resolved = ctx.world.resolveUrl(pathId);
  if (!resolved || !ctx.world.profile('url', resolved.id).found) {
    ctx.error(404, 'NotFoundError', `URL "${pathId}" not found`);
    return null;
  }
  return resolved;
}

export function getUrl(ctx: VtContext): void {
  const [pathId = ''] = ctx.params;
  const found = foundUrl(ctx, pathId);
  if (found) ctx.json(200, { data: urlView(ctx, found.id, found.url) });
}

function startUrlAnalysis(ctx: VtContext, id: string): void {
  const date = Math.floor(ctx.nowMs / 1000);
  const analysisId = `u-${id}-${date}`;
  ctx.world.addAnalysis({ id: analysisId, kind: 'url', itemId: id, createdMs: ctx.nowMs, date });
  ctx.json(200, analysisDescriptor(ctx, analysisId));
}

export function rescanUrl(ctx: VtContext): void {
  const [pathId = ''] = ctx.params;
  const found = foundUrl(ctx, pathId);
  if (found) startUrlAnalysis(ctx, found.id);
}

/** Reads the `url` field, sent urlencoded (vt-py) or as multipart (vt-go). */
async function urlField(ctx: VtContext): Promise<string | undefined> {
  const type = ctx.req.headers['content-type'] ?? '';
  const boundary = multipartBoundary(type);
  if (boundary) {
    const form = await parseForm(ctx.req, boundary, { fileField: '', maxFileBytes: 0, maxFieldBytes: MAX_URL_BODY });
    return form.fields.url;
  }
  const body = await readBody(ctx.req, MAX_URL_BODY);
  if (/^\s*application\/x-www-form-urlencoded\b/i.test(type) || type === '') {
    return new URLSearchParams(body.toString('utf8')).get('url') ?? undefined;
  }
  return undefined;
}

/** `POST /urls`: submits a URL for scanning; it becomes known. */
export async function postUrl(ctx: VtContext): Promise<void> {
  const url = (await urlField(ctx))?.trim();
  if (!url) {
    ctx.error(400, 'BadRequestError', 'Missing "url" form field (application/x-www-form-urlencoded or multipart/form-data)');
    return;
  }
  if (url.length > 8192 || /\s/.test(url) || !/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)?[^/?#\s]+/.test(url)) {
    ctx.error(400, 'InvalidArgumentError', 'Unable to canonicalize url');
    return;
  }
  const { id } = ctx.world.submitUrl(url);
  startUrlAnalysis(ctx, id);
}

export function urlRelationship(ctx: VtContext): void {
  const [pathId = '', relationship = ''] = ctx.params;
  const found = foundUrl(ctx, pathId);
  if (!found) return;
  const page = relationshipPage({
    origin: ctx.origin,
    collection: 'urls',
    parentKind: 'url',
    parentId: found.id,
    pathId,
    relationship,
    query: ctx.url.searchParams,
    build: (kind, itemId, url) => objectView(ctx, kind, itemId, url),
  });
  if (page.ok) ctx.json(200, page.body);
  else ctx.error(page.status, page.code, page.message);
}
