/** What happens to every upstream answer: cache it (with file-hash aliases), append it to history, emit changes. */
import type { TieredCache } from '../cache/index.js';
import type { Report } from '../providers/types.js';
import { type Change, type HistoryRepository, observationOf } from '../store/index.js';
import type { GatewayEventBus } from './events.js';

/** The other hashes VirusTotal gave for a file (its typed details), so a later lookup by any of them is a cache hit. */
export function fileAliases(report: Report): string[] {
  if (report.kind !== 'file' || !report.found || report.details?.provider !== 'virustotal') return [];
  const h = report.details.hashes;
  const out = new Set<string>();
  for (const v of [h?.sha256, h?.sha1, h?.md5]) if (v && v !== report.id) out.add(v);
  return [...out];
}

/** The id history keeps a report under: a found file's SHA-256, else the report's own id. */
export function canonicalId(report: Report): string {
  if (report.kind !== 'file' || !report.found) return report.id;
  const sha256 = (report.data as { attributes?: { sha256?: unknown } } | null)?.attributes?.sha256;
  return typeof sha256 === 'string' && /^[0-9a-f]{64}$/i.test(sha256) ? sha256.toLowerCase() : report.id;
}

export async function recordUpstreamAnswer(
  report: Report,
  deps: {
    cache: TieredCache;
    history: HistoryRepository;
    events: GatewayEventBus;
    minDetectionDelta: number;
    /** The watchlists holding an indicator: a change names them before its event goes out. */
    watchlistsOf?: (kind: Change['kind'], id: string) => Promise<string[]>;
  },
): Promise<Change | null> {
  const aliases = fileAliases(report).map((id) => ({ ...report, id, indicator: id }));
  if (aliases.length > 0) await deps.cache.setMany([report, ...aliases], report.fetchedAt);
  else await deps.cache.set(report, report.fetchedAt);
  // One history per file: observations go under its SHA-256 whichever hash was asked for.
  const change = await deps.history.observe({ ...observationOf(report), id: canonicalId(report) }, { minDetectionDelta: deps.minDetectionDelta });
  if (change) {
    const names = (await deps.watchlistsOf?.(change.kind, change.id)) ?? [];
    if (names.length > 0) change.watchlists = names;
    deps.events.emit('verdict.changed', change);
  }
  return change;
}
