import type { MockKind } from '../types.js';
import type { VtContext } from './context.js';
import { domainObject, fileObject, inventedUrl, ipObject, urlObject, type VtObject } from './objects.js';
import type { FileRecord } from './world.js';

export function fileView(ctx: VtContext, record: FileRecord): VtObject {
  const sha256 = record.hashes.sha256;
  const last = ctx.world.lastCompletedAnalysis('file', sha256, ctx.clock.now());
  return fileObject(ctx.origin, record, ctx.world.fileProfile(record), last);
}

export function urlView(ctx: VtContext, id: string, url: string | null): VtObject {
  const last = ctx.world.lastCompletedAnalysis('url', id, ctx.clock.now());
  return urlObject(ctx.origin, id, url ?? ctx.world.urlText(id) ?? inventedUrl(id), ctx.world.profile('url', id), last);
}

/** Full object of any indicator, as relationship lists and analysis items carry them. */
export function objectView(ctx: VtContext, kind: MockKind, id: string, url?: string): VtObject {
  switch (kind) {
    case 'file':
      return fileView(ctx, ctx.world.file(id) as FileRecord);
    case 'url':
      return urlView(ctx, id, url ?? null);
    case 'domain':
      return domainObject(ctx.origin, id, ctx.world.profile('domain', id));
    case 'ip':
      return ipObject(ctx.origin, id, ctx.world.profile('ip', id));
  }
}

export function analysisDescriptor(ctx: VtContext, id: string): { data: { type: 'analysis'; id: string; links: { self: string } } } {
  return { data: { type: 'analysis', id, links: { self: `${ctx.origin}/api/v3/analyses/${id}` } } };
}
