/**
 * The Gateway: the one object the CLI, the HTTP service and library users call. A thin facade over
 * the services `openRuntime` composes (lookups, scans, batches, enrichment, tokens with budgets,
 * webhooks); it exposes services and views, never the store, the cache or repositories.
 */
import type { ArchiveScanResult, ContentScanOptions, ContentService } from '../archives/index.js';
import type { CacheListPage, CacheListQuery, TieredCacheInfo } from '../cache/index.js';
import type { Clock } from '../clock/index.js';
import { VERSION } from '../common/index.js';
import type { GatewayConfig } from '../config/index.js';
import { type Indicator, type IndicatorKind, parseIndicator } from '../indicators/index.js';
import type { ProviderName } from '../providers/types.js';
import type { VirusTotalClient } from '../providers/virustotal/index.js';
import type { Priority } from '../scheduler/index.js';
import type { Change, Observation, PruneResult, SearchPage, SearchQuery } from '../store/index.js';
import type { TokenService, WebhookService } from './accounts.js';
import { type EnrichManyOptions, type EnrichOptions, type EnrichResult, enrichIndicator, enrichMany } from './enrich.js';
import type { GatewayEventBus } from './events.js';
import { forecastKey, type QuotaForecast } from './forecast.js';
import type { HarvestResult, HarvestService } from './harvest.js';
import type { HarvestBudget } from './harvest-schedule.js';
import type { LookupService } from './lookups.js';
import { healthOf, statsOf } from './ops-views.js';
import { canonicalId, fileAliases } from './records.js';
import { clearRelationshipPages } from './relationships.js';
import { type GatewayOptions, openRuntime, type Runtime } from './runtime.js';
import { type WarmResult, warmCache } from './warm.js';
import type { WatchlistService } from './watchlists.js';
import type { AnalysisView, BatchCreateOptions, BatchItem, BatchJob, BatchView, Estimate, GatewayStats, Health, HistoryView } from './types.js';
import type { LookupManyOptions, LookupOptions, LookupOutcome, LookupResult, ProviderStatus, QuotaView, ScanFileOptions, ScanResult } from './types.js';
import type { RelatedGraph, RelatedOptions } from '../correlation/index.js';
import { recordCowrieSession } from '../correlation/cowrie.js';
import type { CowrieSession } from '../cowrie/sessions.js';
import type { ExportOptions, ExportStream } from '../exports/index.js';

export type { GatewayOptions } from './runtime.js';
type CallOptions = { priority?: Priority; tenant?: string; signal?: AbortSignal };

export class Gateway {
  readonly config: GatewayConfig;
  readonly mock: boolean;
  readonly version = VERSION;
  readonly clock: Clock;
  readonly events: GatewayEventBus;
  /** Client tokens and their per-token daily budgets. */
  readonly tokens: TokenService;
  /** Webhook subscriptions and their deliveries (the dispatcher runs in the background). */
  readonly webhooks: WebhookService;
  /** The lookup service (cache, single-flight, scheduler, provider): what scans, batches and enrichment build on. */
  readonly lookups: LookupService;
  /** Named lists of indicators re-checked when due (`verdict.changed` names the lists). */
  readonly watchlists: WatchlistService;
  /** Spends spare quota on the refreshes most likely to find a changed verdict. */
  readonly harvest: HarvestService;
  readonly #rt: Runtime;
  #content: Promise<ContentService> | undefined;
  #closed = false;

  private constructor(rt: Runtime) {
    this.#rt = rt;
    this.config = rt.config;
    this.clock = rt.clock;
    this.mock = rt.config.mock;
    this.events = rt.events;
    this.tokens = rt.tokens;
    this.webhooks = rt.webhooks;
    this.lookups = rt.lookups;
    this.watchlists = rt.watchlists;
    this.harvest = rt.harvest;
  }

  /**
   * Opens the store, the cache tiers and the governor (the simulator when no key is configured), and
   * starts background work: the webhook dispatcher, batch resume and batch budget charging
   * (`background: false` turns these off).
   */
  /** The built-in simulator's URL in mock mode (a one-shot gateway starts it on its first upstream call). */
  get simulatorUrl(): string | undefined {
    return this.#rt.upstreams.simulatorUrl;
  }
  static async open(options: GatewayOptions = {}): Promise<Gateway> {
    return new Gateway(await openRuntime(options));
  }

  // ---- lookups -------------------------------------------------------------------------------

  /** Looks up one indicator: cache first, then one upstream call shared by every concurrent caller. */
  lookup(input: string | Indicator, options: LookupOptions = {}): Promise<LookupResult> {
    this.#assertOpen();
    return this.#rt.lookups.lookup(input, options);
  }

  /** Looks up many indicators; bad lines become error outcomes, never exceptions. */
  lookupMany(inputs: string[], options: LookupManyOptions = {}): Promise<LookupOutcome[]> {
    this.#assertOpen();
    return this.#rt.lookups.lookupMany(inputs, options);
  }

  /** Dry-run cost of looking up `inputs`: what is cached, in flight, and how many calls it needs. */
  estimate(inputs: ReadonlyArray<string | Indicator>, options: { provider?: ProviderName; priority?: Priority } = {}): Promise<Estimate> {
    return this.#rt.lookups.estimate(inputs, options);
  }

  /** Whether a fresh answer is cached (no upstream call). */
  isFresh(provider: ProviderName, kind: IndicatorKind, id: string): Promise<boolean> {
    return this.#rt.lookups.isFresh(provider, kind, id);
  }

  /** Which of `ids` have a fresh cached answer, in one pass (no upstream call). */
  freshIds(provider: ProviderName, kind: IndicatorKind, ids: readonly string[]): Promise<Set<string>> {
    return this.#rt.lookups.freshIds(provider, kind, ids);
  }

  /** One harvest by hand: up to `budget` refreshes at background priority, best first (`vtg refresh`). */
  refresh(options: { budget: number; dryRun?: boolean; signal?: AbortSignal }): Promise<HarvestResult> {
    this.#assertOpen();
    return this.#rt.harvest.run(options);
  }

  /** What the scheduled harvest may spend now, and why. */
  harvestBudget = (): Promise<HarvestBudget> => this.#rt.harvestScheduler.budget();

  /** Runs the scheduled harvest once now (inside its window and budget); undefined when there is nothing to spend. */
  harvestNow(): Promise<HarvestResult | undefined> {
    this.#assertOpen();
    return this.#rt.harvestScheduler.tick();
  }

  /** Looks up a list at background priority with only the calls the day can spare (`vtg cache warm`). */
  cacheWarm(inputs: readonly string[], options: { signal?: AbortSignal } = {}): Promise<WarmResult> {
    this.#assertOpen();
    return warmCache({ config: this.config, governor: this.#rt.governor, usage: this.#rt.usage, lookups: this.#rt.lookups }, inputs, options);
  }

  /** At the current pace: when each window (minute aside) runs out and how many calls are left at its reset. */
  forecast = (provider: ProviderName = 'virustotal'): Promise<QuotaForecast> => forecastKey(this.#rt.governor, this.#rt.usage, this.#rt.lookups.keyOf(provider), this.clock);

  // ---- quota, history, cache admin ------------------------------------------------------------

  async quota(provider: ProviderName = 'virustotal'): Promise<QuotaView> {
    if (provider === 'virustotal') await this.#rt.reconciler.probe(5_000);
    const summary = await this.#rt.governor.summary(this.#rt.lookups.keyOf(provider));
    return { ...summary, provider, mock: this.mock, scope: summary.backend === 'redis' ? 'cluster' : 'instance' };
  }

  providers(): Promise<ProviderStatus[]> {
    return this.#rt.lookups.providers();
  }

  async history(input: string, options: { provider?: ProviderName; limit?: number } = {}): Promise<HistoryView> {
    const indicator = parseIndicator(input);
    const provider = options.provider ?? 'virustotal';
    const limit = options.limit ?? 100;
    const history = this.#rt.store.history;
    // A file is one history under all its hashes: kept under the SHA-256 (records.ts), and any
    // observations recorded under another hash before that are merged in.
    const cached = indicator.kind === 'file' ? await this.#rt.cache.get(provider, 'file', indicator.id) : undefined;
    const report = cached?.entry.report;
    const ids = [...new Set([indicator.id, ...(report ? [canonicalId(report), ...fileAliases(report)] : [])])];
    const byTime = <T extends { at: number }>(list: T[]) => list.sort((a, b) => a.at - b.at).slice(-limit);
    return {
      indicator,
      provider,
      observations: byTime((await Promise.all(ids.map((id) => history.series(provider, indicator.kind, id, { limit })))).flat()),
      changes: (await Promise.all(ids.map((id) => history.changes({ limit, id })))).flat().sort((a, b) => b.at - a.at).slice(0, limit),
      ...(indicator.kind === 'file' ? { yara: await this.#rt.store.yara.series(indicator.id, { limit }) } : {}),
    };
  }

  async recentHistory(options: { limit?: number; since?: number } = {}): Promise<Observation[]> {
    return this.#rt.store.history.recent({ limit: options.limit ?? 50, since: options.since });
  }

  async changes(options: { limit?: number; since?: number } = {}): Promise<Change[]> {
    return this.#rt.store.history.changes({ limit: options.limit ?? 50, since: options.since });
  }

  /** Search, correlation and exports over the cache and history (issue #15): they never spend quota. */
  // loaded on first use, so commands that never search do not pay for these modules
  async search(query: SearchQuery = {}): Promise<SearchPage> {
    const { searchIndicators } = await import('../search/index.js');
    return searchIndicators(this.#rt.store.search, query);
  }

  async related(input: string, options: RelatedOptions = {}): Promise<RelatedGraph> {
    const [{ relatedGraph }, { indexRelationshipPages }] = await Promise.all([import('../correlation/index.js'), import('./relationship-edges.js')]);
    // kept relationship pages (`vtg file contacted_ips <hash>`) are links too, at no quota cost
    await indexRelationshipPages(this, (e) => this.#rt.store.search.putEdge(e));
    return relatedGraph(this.#rt.store.search, input, options);
  }

  async export(options: ExportOptions): Promise<ExportStream> {
    const { exportIndicators } = await import('../exports/index.js');
    return exportIndicators(this.#rt.store.search, { now: this.clock.now(), ...options });
  }

  /** Records a Cowrie session's links (IP -> URL -> file) and tags its indicators `cowrie:<run>`. */
  recordCowrieSession(session: CowrieSession, run: string): Promise<number> {
    return recordCowrieSession(this.#rt.store.search, session, run);
  }

  async cacheInfo(): Promise<TieredCacheInfo> {
    return this.#rt.cache.info();
  }

  async cacheList(query: CacheListQuery): Promise<CacheListPage> {
    return this.#rt.cache.list(query);
  }

  /** Removes cache entries and relationship pages: all, by kind or provider, or one indicator. Returns how many. */
  async cacheClear(filter: { input?: string; kind?: IndicatorKind; provider?: ProviderName } = {}): Promise<number> {
    const ind = filter.input !== undefined ? parseIndicator(filter.input, { allowPrivate: true }) : undefined;
    const scope = { ...(filter.provider ? { provider: filter.provider } : {}), ...(ind ? { kind: ind.kind, id: ind.id } : filter.kind ? { kind: filter.kind } : {}) };
    // relationship pages are named by the id they were asked with: a file by any of its hashes, a URL by its two ids
    const cached = ind?.kind === 'file' ? await this.#rt.cache.get('virustotal', 'file', ind.id) : undefined;
    const ids = ind ? [ind.id, ...(ind.vtUrlId ? [ind.vtUrlId] : []), ...(cached ? fileAliases(cached.entry.report) : [])] : undefined;
    const pages = await clearRelationshipPages(this, { ...filter, ...(ind ? { kind: ind.kind, ids } : {}) });
    const removed = await this.#rt.lookups.invalidate(scope);
    await this.#rt.store.search.forget(scope);
    return removed + pages;
  }

  cachePrune(): Promise<PruneResult> {
    return this.#rt.rotator.runOnce();
  }

  // ---- scans and analyses ---------------------------------------------------------------------

  async scanFile(path: string, options: ScanFileOptions = {}): Promise<ScanResult> {
    this.#assertOpen();
    const { scanFileWithRules } = await import('./content.js');
    return scanFileWithRules(this.#rt, await this.content(), path, options);
  }

  scanUrl(url: string, options: CallOptions = {}): Promise<ScanResult> {
    this.#assertOpen();
    return this.#rt.scans.scanUrl(url, options);
  }

  /** Rescans a file (by hash) or a URL; `kind: 'url'` reads a 64-hex input as a URL id rather than a sha256. */
  rescan(input: string, options: { kind?: 'file' | 'url' } & CallOptions = {}): Promise<ScanResult> {
    this.#assertOpen();
    return this.#rt.scans.rescan(input, options);
  }

  analysis(id: string, options: { waitMs?: number; signal?: AbortSignal } = {}): Promise<AnalysisView> {
    this.#assertOpen();
    return this.#rt.scans.analysis(id, options);
  }

  analysisItem(id: string): Promise<LookupResult> {
    this.#assertOpen();
    return this.#rt.scans.analysisItem(id);
  }

  // ---- hostile content (src/archives, src/yara, src/fetch) ---------------------------------------

  /** Hostile-content scans (archives, scan-from-URL, YARA) on `lookup` and `scanFile`; loaded on first use. */
  content(): Promise<ContentService> {
    this.#assertOpen();
    this.#content ??= import('./content.js').then(({ openContent }) => openContent(this, this.#rt));
    return this.#content;
  }

  /** Scans an archive (or any file): members hashed in memory under limits, looked up by hash, YARA-scanned. */
  async scanArchive(input: string | { data: Uint8Array; name: string }, options: ContentScanOptions = {}): Promise<ArchiveScanResult> {
    return (await this.content()).scanArchive(input, options);
  }

  /** Raw VirusTotal call for the VT-compatible surface (collections, relationships): through the scheduler. */
  vtRaw(
    method: 'GET' | 'POST',
    path: string,
    init: Parameters<VirusTotalClient['raw']>[2] = {},
    options: CallOptions = {},
  ): Promise<{ status: number; body: unknown; joined?: true }> {
    return this.#rt.lookups.vtRaw(method, path, init, options);
  }

  // ---- batches --------------------------------------------------------------------------------

  createBatch(inputs: string[], options: BatchCreateOptions = {}): Promise<BatchJob> {
    this.#assertOpen();
    return this.#rt.batches.create(inputs, options);
  }

  runBatch(id: string, options: { signal?: AbortSignal; onProgress?: (job: BatchJob) => void } = {}): Promise<BatchJob> {
    this.#assertOpen();
    return this.#rt.batches.run(id, options);
  }

  /** Starts every unfinished batch in the background (`Gateway.open` does this unless `background: false`). */
  resumeBatches(): Promise<void> {
    return this.#rt.batches.resumeAll();
  }

  /** The job and its ETA (the governor's, at the job's priority). */
  batch(id: string): Promise<BatchView | undefined> {
    return this.#rt.batches.view(id);
  }

  listBatches(query: { owner?: string | null; limit?: number } = {}): Promise<BatchJob[]> {
    return this.#rt.batches.list(query);
  }

  batchResults(id: string, options: { afterSeq?: number; finishedOnly?: boolean } = {}): AsyncIterable<BatchItem> {
    return this.#rt.batches.results(id, options);
  }

  cancelBatch(id: string): Promise<boolean> {
    return this.#rt.batches.cancel(id);
  }

  // ---- enrichment -----------------------------------------------------------------------------

  /** Every applicable provider for one indicator, merged (`vtg enrich`, `/api/enrich`). */
  enrich(input: string | Indicator, options: EnrichOptions = {}): Promise<EnrichResult> {
    this.#assertOpen();
    return enrichIndicator(this.#rt.lookups, input, options);
  }

  /** The same for many indicators at once, per provider, each answer as it comes (a Cowrie run). */
  enrichMany(indicators: readonly Indicator[], options: EnrichManyOptions): Promise<void> {
    this.#assertOpen();
    return enrichMany(this.#rt.lookups, indicators, options);
  }

  /** Providers that are configured and can look up `kind`. */
  providersFor(kind: IndicatorKind): ProviderName[] {
    return this.#rt.lookups.providersFor(kind);
  }

  /** Why a provider is not available, when it is not. */
  providerNote(name: ProviderName): string | undefined {
    return this.#rt.lookups.providerNote(name);
  }

  // ---- operations -----------------------------------------------------------------------------

  stats(): GatewayStats {
    return statsOf(this.#rt);
  }

  async health(): Promise<Health> {
    await this.#rt.reconciler.probe(5_000);
    return healthOf(this.#rt, await this.providers(), this.version);
  }

  /** Finishes background work, stops timers and closes the store, Redis and the simulator. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    (await this.#content?.catch(() => undefined))?.close();
    await this.#rt.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the gateway is closed');
  }
}
