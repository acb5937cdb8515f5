/** The Gateway: the single object the CLI, the HTTP service and library users call. */
export { Gateway, type GatewayOptions } from './gateway.js';
export { GatewayEventBus, type AnalysisCompletedEvent, type BatchCompletedEvent, type GatewayEvents } from './events.js';
export { NotCachedError, ProviderUnavailableError, QuotaExhaustedError, formatDuration } from './errors.js';
export { UpstreamUnavailableError } from './fail-fast.js';
export { BatchNotFoundError, batchLines } from './batches.js';
export { FileScanError, sha256File } from './scans.js';
export { ENRICHMENT_PROVIDERS, overallVerdict, type EnrichOptions, type EnrichResult, type EnrichSource } from './enrich.js';
export { startSimulator, SIMULATOR_KEYS, type SimulatorOptions } from './simulator.js';
export { VERSION } from './version.js';
export type * from './types.js';
