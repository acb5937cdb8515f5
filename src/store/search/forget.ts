/**
 * What `vtg cache clear` removes from the search index: the cleared answers' provider records and the
 * index rows, tags and hash aliases of indicators left with no answer. Sources and correlation edges
 * stay (Cowrie runs, watchlists and batches recorded them, not the cache). An indicator that keeps
 * another provider's answer keeps its index row until its next refresh.
 */
import type { SqlDb } from '../db/sql.js';
import { type Condition, where } from '../db/where.js';
import type { CacheFilter } from '../cache-entries/types.js';

const ORPHAN = 'NOT EXISTS (SELECT 1 FROM search_providers p WHERE p.kind = search_index.kind AND p.indicator_id = search_index.indicator_id)';

export function forgetCached(db: SqlDb, filter: CacheFilter, id: string | undefined): Promise<number> {
  const scope: Condition[] = [filter.kind !== undefined && ['kind = ?', filter.kind], id !== undefined && ['indicator_id = ?', id]];
  const providers = where([...scope, filter.provider !== undefined && ['provider = ?', filter.provider]]);
  const orphans = where([...scope, [ORPHAN]]);
  return db.transaction(async (tx) => {
    await tx.run(`DELETE FROM search_providers${providers.sql}`, ...providers.params);
    const gone = await tx.all<{ kind: string; indicator_id: string }>(`SELECT kind, indicator_id FROM search_index${orphans.sql}`, ...orphans.params);
    for (const g of gone) {
      await tx.run('DELETE FROM search_tags WHERE kind = ? AND indicator_id = ?', g.kind, g.indicator_id);
      await tx.run('DELETE FROM search_aliases WHERE kind = ? AND indicator_id = ?', g.kind, g.indicator_id);
      await tx.run('DELETE FROM search_index WHERE kind = ? AND indicator_id = ?', g.kind, g.indicator_id);
    }
    return gone.length;
  });
}
