/** Search over the cache and the history (no quota spent): filters, sort, cursor pages and counts. */
import type { SearchPage, SearchQuery, SearchRepository } from '../store/index.js';

export { parseTime, type SearchParams, searchParamsSchema, toSearchQuery } from './params.js';
export type { EdgeRecord, IndicatorRecord, ProviderRecord, SearchPage, SearchQuery, SearchSort } from '../store/index.js';

/** One page of matching indicators; the index first folds in whatever was cached or observed since. */
export async function searchIndicators(repo: SearchRepository, query: SearchQuery = {}): Promise<SearchPage> {
  await repo.syncAsync();
  return repo.search(query);
}
