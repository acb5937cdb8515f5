/**
 * Durable state in one SQLite file or one PostgreSQL database (`databaseUrl`): cache entries, history (observations and changes), batch jobs,
 * webhooks, client tokens and small settings. Open it with `Store.open`; everything else hangs off it.
 */
export { defaultDataDir } from './data-dir.js';
export { Store, type StoreOptions } from './store.js';
export { SchemaTooNewError } from './db/migrate.js';
export { StoreUnavailableError, type DatabaseState } from './outage.js';

export { CacheRepository } from './cache-entries/repository.js';
export type {
  CacheCounters,
  CacheEntry,
  CacheFilter,
  CacheHitDelta,
  CacheInfo,
  CacheLimits,
  CacheListPage,
  CacheListQuery,
  CacheWrite,
  PruneOptions,
  PruneResult,
} from './cache-entries/types.js';

export { HistoryRepository } from './history/repository.js';
export { detectChange, DEFAULT_CHANGE_OPTIONS } from './history/changes.js';
export { observationOf } from './history/observation.js';
export type {
  Change,
  ChangeOptions,
  ChangeQuery,
  ChangeReason,
  ChangeSide,
  HistoryQuery,
  Observation,
} from './history/types.js';

export { BatchRepository } from './batches/repository.js';
export type {
  BatchItem,
  BatchItemSource,
  BatchItemStatus,
  BatchJob,
  BatchListQuery,
  BatchStatus,
  CompleteItem,
  FailItem,
  NewBatchItem,
  NewBatchJob,
  StoredError,
} from './batches/types.js';

export { WebhookRepository } from './webhooks/repository.js';
export type { Delivery, DeliveryStatus, NewWebhook, Webhook } from './webhooks/types.js';

export { TokenRepository, hashToken } from './tokens/repository.js';
export { utcDayKey } from './tokens/day-key.js';
export type { CreatedToken, NewToken, TokenChanges, TokenRecord, TokenRole, TokenUploadPolicy } from './tokens/types.js';

export { KvRepository } from './kv/repository.js';
export { SessionRepository, type StoredSession } from './sessions/repository.js';
export { DailyCounterRepository } from './daily/repository.js';

export { WatchlistRepository, DEFAULT_WATCH_EVERY_MS } from './watchlists/repository.js';
export type { DueWatchlistItem, Watchlist, WatchlistItem } from './watchlists/types.js';
export { SearchRepository } from './search/repository.js';
export { SEVERITY, VERDICTS, isVerdict } from './search/severity.js';
export type { EdgeRecord, FileHashes, IndicatorRecord, ProviderRecord, SearchPage, SearchQuery, SearchSort } from './search/types.js';
export type { SearchSummary } from './search/summary.js';
export { YaraRepository } from './yara/repository.js';
export type { StoredYaraMatch, YaraObservation } from './yara/types.js';
