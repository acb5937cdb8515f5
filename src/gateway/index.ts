/** The Gateway: the single object the CLI, the HTTP service and library users call. */
export { Gateway, type GatewayOptions } from './gateway.js';
export { GatewayEventBus, type AnalysisCompletedEvent, type BatchCompletedEvent, type GatewayEvents, type UpstreamKeyRefusedEvent } from './events.js';
export { NotCachedError, ProviderUnavailableError, QuotaExhaustedError, formatDuration } from './errors.js';
export { UpstreamUnavailableError } from './fail-fast.js';
export { BatchNotFoundError, batchLines } from './batches.js';
export { FileScanError, sha256File } from './scans.js';
export { ENRICHMENT_PROVIDERS, VERDICT_ORDER, overallVerdict, type EnrichManyOptions, type EnrichOptions, type EnrichResult, type EnrichSource } from './enrich.js';
export { TokenService, WebhookService, secondsToUtcMidnight, type BudgetHolder } from './accounts.js';
export { SESSION_TTL_MS, SessionService, type DashboardSession } from './sessions.js';
export type { LookupService } from './lookups.js';
export { startSimulator, SIMULATOR_KEYS, type SimulatorOptions } from './simulator.js';
export { VERSION } from '../common/index.js';
export type * from './types.js';
export type { DayFigures } from './daily-stats.js';
/** Store shapes the faces see through the services (tokens, webhooks, history). */
export type { CreatedToken, Delivery, NewToken, NewWebhook, TokenChanges, TokenRecord, TokenRole, TokenUploadPolicy, Webhook, YaraObservation } from '../store/index.js';
export { WatchlistService, parseInterval, type WatchlistAddResult, type WatchlistView, type Watchlist, type WatchlistItem } from './watchlists.js';
export type { HarvestCandidate, HarvestRefreshed, HarvestResult, HarvestService } from './harvest.js';
export type { QuotaForecast, WindowForecast } from './forecast.js';
export type { HarvestBudget } from './harvest-schedule.js';
export type { WarmResult } from './warm.js';
export { relationshipPage, RELATIONSHIP_TTL_MS, type RelationshipAnswer, type RelationshipRequest } from './relationships.js';
