/**
 * What the commands need from a gateway. Two implementations: the Gateway in this process
 * (embedded) and a running `vtg serve` over its REST API (remote), so every command prints the
 * same thing in both modes.
 */
import type { ArchiveScanResult, ContentScanOptions } from '../../archives/index.js';
import type { UpstreamRetryEvent } from '../../gateway/events.js';
import type { RulesStatus } from '../../yara/index.js';
import type { CacheListPage, CacheListQuery, PruneResult, TieredCacheInfo } from '../../cache/index.js';
import type {
  AnalysisView,
  BatchCreateOptions,
  BatchItem,
  BatchJob,
  BatchView,
  Change,
  EnrichOptions,
  EnrichResult,
  Estimate,
  HarvestBudget,
  HarvestResult,
  QuotaForecast,
  WarmResult,
  Health,
  HistoryView,
  LookupOptions,
  LookupResult,
  Priority,
  ProviderStatus,
  QuotaView,
  ScanFileOptions,
  ScanResult,
  Watchlist,
  WatchlistAddResult,
  WatchlistView,
} from '../../gateway/index.js';
import type { Indicator, IndicatorKind } from '../../indicators/index.js';
import type { VtCollection } from '../../providers/virustotal/relationships.js';
import type { ProviderName } from '../../providers/types.js';
import type { CreatedToken, NewToken, TokenChanges, TokenRecord } from '../../gateway/index.js';

export type CliLookupOptions = Pick<LookupOptions, 'provider' | 'priority' | 'maxAgeMs' | 'allowStale' | 'waitForQuota' | 'cacheOnly' | 'signal'>;

export interface CacheClearFilter {
  input?: string;
  kind?: IndicatorKind;
  provider?: ProviderName;
}

export interface RunOptions {
  priority?: Priority;
  signal?: AbortSignal;
}

export interface RescanOptions extends RunOptions {
  /** What a bare 64-hex id names: a file's SHA-256 (default) or a URL's id. */
  kind?: 'file' | 'url';
}

/** An archive or fetch scan from the CLI: `yaraDir` (`--yara`) only in embedded mode (a server uses its own rules). */
export type CliContentOptions = Pick<ContentScanOptions, 'passwords' | 'uploadUnknown' | 'noLookup' | 'limits' | 'signal'> & { yaraDir?: string };

/** What `scan fetch` answers: the archive contract plus where the bytes came from. */
export type FetchScanResult = ArchiveScanResult & { fetched: { url: string; name: string; contentType: string | null; hops: number } };

export type CliEnrichOptions = Pick<EnrichOptions, 'providers' | 'priority' | 'cacheOnly' | 'signal'>;

/** One page of an object's relationship, as the gateway answered it (upstream, or its cache). */
export interface RelationshipPageView {
  /** The related objects, in VirusTotal's shape (`{type, id, links, attributes}`). */
  items: unknown[];
  /** How many items the relationship holds (when VirusTotal says). */
  count: number | null;
  /** Pass as `cursor` for the next page; null on the last one. */
  cursor: string | null;
  source: 'cache' | 'upstream' | 'stale';
  fetchedAt: number;
}

export interface RelationshipQuery {
  collection: VtCollection;
  id: string;
  relationship: string;
  limit?: number;
  cursor?: string;
  signal?: AbortSignal;
}

export interface Backend {
  readonly kind: 'embedded' | 'remote';
  /** The gateway answers from the built-in simulator (no VirusTotal key). */
  readonly mock: boolean;
  /** Where it runs: the data dir (embedded) or the server URL (remote). */
  readonly where: string;

  lookup(input: string, options: CliLookupOptions): Promise<LookupResult>;
  /** A VirusTotal object of a given kind (the input is read as that kind), through the cache like `lookup`. */
  object(indicator: Indicator, options: CliLookupOptions): Promise<LookupResult>;
  /** One page of an object's relationship, through the governor and the relationship cache. */
  relationship(query: RelationshipQuery): Promise<RelationshipPageView>;
  /** Listens to upstream retries (embedded only: a server retries out of sight); returns the remover. */
  onRetry?(listener: (e: UpstreamRetryEvent) => void): () => void;
  estimate(inputs: string[], options?: { provider?: ProviderName; priority?: Priority }): Promise<Estimate>;
  /** The governor's time for `calls` more upstream calls at `priority` (with --server, the server's governor); Infinity: never. */
  eta(provider: ProviderName, calls: number, priority: Priority): Promise<number>;
  quota(provider?: ProviderName): Promise<QuotaView>;
  providers(): Promise<ProviderStatus[]>;
  history(input: string, options: { provider?: ProviderName; limit?: number }): Promise<HistoryView>;
  changes(options: { limit?: number; since?: number }): Promise<Change[]>;

  cacheInfo(): Promise<TieredCacheInfo>;
  cacheList(query: CacheListQuery): Promise<CacheListPage>;
  cacheClear(filter: CacheClearFilter): Promise<number>;
  cachePrune(): Promise<PruneResult>;

  scanFile(path: string, options: ScanFileOptions): Promise<ScanResult>;
  scanUrl(url: string, options: RunOptions): Promise<ScanResult>;
  rescan(input: string, options: RescanOptions): Promise<ScanResult>;
  analysis(id: string, options: { waitMs?: number; signal?: AbortSignal }): Promise<AnalysisView>;
  analysisItem(id: string): Promise<LookupResult>;
  /** Hostile content: members hashed under limits, looked up by hash, YARA-scanned. */
  scanArchive(path: string, options: CliContentOptions): Promise<ArchiveScanResult>;
  /** Downloads under the SSRF guard (the server's, in remote mode) and scans what came back. */
  scanFetch(url: string, options: CliContentOptions): Promise<FetchScanResult>;
  /** The YARA rules in use (`yaraDir` overrides VTG_YARA_DIR, embedded only). */
  yaraRules(yaraDir?: string): Promise<RulesStatus>;

  createBatch(inputs: string[], options: BatchCreateOptions): Promise<BatchJob>;
  batch(id: string): Promise<BatchView | undefined>;
  listBatches(limit?: number): Promise<BatchJob[]>;
  /** Up to `limit` items after `afterSeq`, in input order (pending ones may be included). */
  batchResults(id: string, options?: { afterSeq?: number; limit?: number }): Promise<BatchItem[]>;
  /** Runs (embedded) or follows (remote) a batch until it ends or the signal aborts. */
  runBatch(id: string, options: { signal?: AbortSignal }): Promise<BatchJob>;
  cancelBatch(id: string): Promise<boolean>;

  enrich(input: string, options: CliEnrichOptions): Promise<EnrichResult>;
  health(): Promise<Health>;

  createToken(token: NewToken): Promise<CreatedToken>;
  listTokens(): Promise<TokenRecord[]>;
  /** Undefined when no live token has that id or name. */
  updateToken(idOrName: string, changes: TokenChanges): Promise<TokenRecord | undefined>;
  revokeToken(idOrName: string): Promise<boolean>;

  watchlistAdd(name: string, inputs: string[], options: { everyMs?: number }): Promise<WatchlistAddResult>;
  watchlists(): Promise<Watchlist[]>;
  watchlist(name: string): Promise<WatchlistView | undefined>;
  watchlistRemove(name: string): Promise<boolean>;
  /** One harvest by hand (`vtg refresh --budget N`). */
  refresh(options: { budget: number; dryRun?: boolean }): Promise<HarvestResult>;
  cacheWarm(inputs: string[]): Promise<WarmResult>;
  forecast(): Promise<QuotaForecast & { harvest: Omit<HarvestBudget, 'forecast'> }>;

  close(): Promise<void>;
}
