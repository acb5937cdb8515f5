/**
 * Harvest candidates of the third kind: indicators seen recently in Cowrie runs (search source
 * `cowrie:<day of the run>`) and batch jobs (`batch:<id>`), with VirusTotal's last answer for each,
 * read from the search index (no quota spent).
 */
import type { IndicatorKind } from '../indicators/index.js';
import type { BatchRepository, ProviderRecord, SearchRepository } from '../store/index.js';

const DAY = 86_400_000;
/** Indicators read per source, so one huge run cannot make a plan slow. */
const PER_SOURCE = 1000;

export interface RecentSighting {
  kind: IndicatorKind;
  id: string;
  indicator: string;
  /** `Cowrie run 2026-04-03` or `batch 1f3a9c2e`. */
  where: string;
  /** When it was seen (the run's day, the batch's creation). */
  at: number;
  /** VirusTotal's last answer, as the index holds it. */
  virustotal: ProviderRecord;
}

export type RecentSightings = (since: number, now: number) => Promise<RecentSighting[]>;

/** Sightings from `since` to `now`, newest first; indicators VirusTotal never answered are left out. */
export function recentSightings(search: SearchRepository, batches: BatchRepository): RecentSightings {
  return async (since, now) => {
    await search.syncAsync();
    const sources: Array<{ source: string; where: string; at: number }> = [];
    for (let day = Math.floor(now / DAY) * DAY; day >= Math.floor(since / DAY) * DAY; day -= DAY) {
      const name = new Date(day).toISOString().slice(0, 10);
      sources.push({ source: `cowrie:${name}`, where: `Cowrie run ${name}`, at: day });
    }
    for (const job of await batches.list({ limit: 200 })) {
      if (job.createdAt >= since) sources.push({ source: `batch:${job.id}`, where: `batch ${job.id.slice(0, 8)}`, at: job.createdAt });
    }
    sources.sort((a, b) => b.at - a.at);
    const out: RecentSighting[] = [];
    for (const s of sources) {
      for (const r of (await search.search({ source: s.source, limit: PER_SOURCE })).items) {
        const vt = r.providers.find((p) => p.provider === 'virustotal');
        if (vt) out.push({ kind: r.kind, id: r.id, indicator: r.indicator, where: s.where, at: s.at, virustotal: vt });
      }
    }
    return out;
  };
}
