/** Cowrie honeypot logs: streaming reader, incremental state, sessions, indicators, enrichment report. */
export { type CowrieEvent, durationMs, eventTime, KNOWN_EVENT_IDS } from './events.js';
export { CowrieInputError, isCowrieLogName, isGzipFile, resolveLogFiles } from './files.js';
export {
  type BadLineReason,
  type BadLineSample,
  type CowrieFileStats,
  type CowrieReadStats,
  createReadStats,
  parseEventLine,
  type ReadCowrieOptions,
  type ReadProgress,
  readCowrieBatches,
  readCowrieLogs,
} from './reader.js';
export { type CowrieFileState, CowrieState } from './state.js';
export {
  buildSessions,
  DEFAULT_IDLE_CLOSE_MS,
  type CowrieDownload,
  type CowrieLogin,
  type CowrieSession,
  type CowrieUpload,
  SessionBuilder,
  type SessionBuilderOptions,
} from './sessions.js';
export { isRemoteUrl, normaliseCommand, urlsInCommand } from './commands.js';
export {
  type CowrieIndicator,
  collectCowrieIndicators,
  EMPTY_SHA256,
  type ExtractOptions,
  type ExtractStats,
  IndicatorCollector,
  type IndicatorRole,
  type SessionIndicators,
  sessionIndicators,
} from './extract.js';
export {
  type BuildReportInput,
  buildCowrieReport,
  type ClientRow,
  type CommandRow,
  type CowrieReport,
  type HashRow,
  type IndicatorRow,
  type IpRow,
  ReportAccumulator,
  type ProviderResults,
  type SessionRecord,
  sessionRecord,
  type TunnelStats,
  type UrlRow,
  worstVerdict,
} from './report.js';
export { CSV_HEADER, csvField, toCsv, toJson, toNdjson, toSummaryText } from './format.js';
export { type FollowOptions, followCowrieLog } from './follow.js';
export {
  ALL_PROVIDERS,
  type CowrieEnrichOptions,
  type CowrieEnrichProgress,
  type CowrieEnrichResult,
  type CowrieEnrichStats,
  type EnrichedCowrieReport,
  enrichCowrieLogs,
  enrichmentSummaryText,
  type LookupFailure,
  type ProviderRun,
} from './pipeline.js';
export { type FollowEnrichOptions, type FollowEnrichStats, followAndEnrich } from './follow-enrich.js';
