import { statKeys } from '../verdicts.js';
import type { VtContext } from './context.js';
import { fileView, urlView } from './build.js';
import { fileSize, inventedUrl } from './objects.js';
import { analysisResults } from './results.js';
import type { AnalysisRecord, FileRecord } from './world.js';

function findAnalysis(ctx: VtContext): AnalysisRecord | null {
  const [id = ''] = ctx.params;
  const record = ctx.world.analysis(id);
  if (!record) ctx.error(404, 'NotFoundError', `Analysis "${id}" not found`);
  return record;
}

function zeroStats(kind: 'file' | 'url'): Record<string, number> {
  return Object.fromEntries(statKeys(kind).map((k) => [k, 0]));
}

/**
 * `GET /analyses/{id}`: queued, then in-progress (zero stats, empty results), then completed with
 * the item's stats and per-engine results, on the clock's `analysisSteps` schedule.
 */
export function getAnalysis(ctx: VtContext): void {
  const analysis = findAnalysis(ctx);
  if (!analysis) return;
  const status = ctx.world.status(analysis, ctx.clock.now());
  const completed = status === 'completed';
  const self = `${ctx.origin}/api/v3/analyses/${analysis.id}`;
  if (analysis.kind === 'file') {
    const file = ctx.world.file(analysis.itemId) as FileRecord;
    const { sha256, sha1, md5 } = file.hashes;
    const profile = ctx.world.fileProfile(file);
    const stats = completed ? profile.stats : zeroStats('file');
    ctx.json(200, {
      data: {
        id: analysis.id,
        type: 'analysis',
        links: { self, item: `${ctx.origin}/api/v3/files/${sha256}` },
        attributes: {
          stats,
          date: analysis.date,
          status,
          results: completed ? analysisResults('file', sha256, stats, profile.threatLabel, analysis.date) : {},
        },
      },
      meta: { file_info: { sha256, md5, sha1, size: fileSize(file) } },
    });
    return;
  }
  const id = analysis.itemId;
  const profile = ctx.world.profile('url', id);
  const stats = completed ? profile.stats : zeroStats('url');
  ctx.json(200, {
    data: {
      id: analysis.id,
      type: 'analysis',
      links: { self, item: `${ctx.origin}/api/v3/urls/${id}` },
      attributes: {
        status,
        date: analysis.date,
        stats,
        results: completed ? analysisResults('url', id, stats, profile.threatLabel, analysis.date) : {},
      },
    },
    meta: { url_info: { id, url: ctx.world.urlText(id) ?? inventedUrl(id) } },
  });
}

/** `GET /analyses/{id}/item`: the analysed file or URL object. */
export function getAnalysisItem(ctx: VtContext): void {
  const analysis = findAnalysis(ctx);
  if (!analysis) return;
  if (analysis.kind === 'file') ctx.json(200, { data: fileView(ctx, ctx.world.file(analysis.itemId) as FileRecord) });
  else ctx.json(200, { data: urlView(ctx, analysis.itemId, null) });
}
