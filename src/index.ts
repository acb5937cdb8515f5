/**
 * vt-gateway as a library: `import { Gateway } from 'vt-gateway'`.
 * One Gateway per process shares one cache and one quota between every caller.
 */
export * from './gateway/index.js';
export { type GatewayConfig, loadConfig, ConfigError, defaultConfigFile, defaultDataDir, redactedConfig } from './config/index.js';
export {
  type Indicator,
  type IndicatorKind,
  IndicatorError,
  parseIndicator,
  tryParseIndicator,
  extractIndicators,
  refang,
  defang,
  vtUrlId,
} from './indicators/index.js';
export type { AnalysisStats, Provider, ProviderName, Report, Verdict } from './providers/types.js';
export { VirusTotalClient, VtError, computeVerdict, extractAnalysisStats, isMalicious } from './providers/virustotal/index.js';
export * as vtErrors from './providers/virustotal/errors.js';
export type { QuotaSummary, QuotaWindowSummary, QuotaStatus } from './governor/index.js';
export { systemClock, FakeClock, type Clock } from './clock/index.js';
export { verifySignature } from './webhooks/index.js';
export type { EdgeRecord, IndicatorRecord, ProviderRecord, SearchPage, SearchQuery, SearchSort } from './search/index.js';
export { EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportStream, CSV_COLUMNS } from './exports/index.js';
export type { GraphEdge, GraphNode, RelatedGraph, RelatedOptions } from './correlation/index.js';
