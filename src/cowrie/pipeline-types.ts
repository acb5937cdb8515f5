/** The shapes of a Cowrie enrichment run: its options, progress, stats and result. */
import type { Estimate, Priority } from '../gateway/index.js';
import type { ProviderName } from '../providers/types.js';
import type { ExtractOptions } from './extract.js';
import type { LookupFailure, ProviderRun } from './lookups.js';
import type { CowrieReadStats } from './reader.js';
import type { CowrieReport, SessionRecord } from './report.js';

export interface CowrieEnrichProgress {
  phase: 'read' | 'enrich';
  files: number;
  bytesRead: number;
  bytesTotal: number;
  lines: number;
  badLines: number;
  sessions: number;
  indicators: number;
  lookupsDone: number;
  lookupsTotal: number;
  upstreamCalls: number;
  /** Per provider during the lookups (each has its own quota, so the ETA is the slowest one's). */
  providers?: Array<{ provider: ProviderName; total: number; done: number; upstreamCalls: number }>;
}

export interface CowrieEnrichOptions {
  /** Files, directories (their cowrie.json* files) or globs in the file name. */
  paths: string[];
  /** Default: every configured provider. Each indicator goes to ENRICHMENT_PROVIDERS[kind] ∩ these ∩ configured. */
  providers?: ProviderName[];
  /** Incremental state file (default none: read everything). */
  statePath?: string;
  /** Read and extract only, then return each provider's quota cost estimate; no lookups, state not saved. */
  dryRun?: boolean;
  /** Default 'batch'. */
  priority?: Priority;
  signal?: AbortSignal;
  onProgress?: (p: CowrieEnrichProgress) => void;
  /** Keep private/loopback addresses (a lab honeypot); default false. */
  extract?: ExtractOptions;
  /** Lookups submitted at once per provider (default 64); the scheduler paces upstream calls anyway. */
  window?: number;
  /** Rows in the report's top lists (default 10). */
  top?: number;
  /**
   * Keep every session for per-session records (`report.sessions`, the NDJSON output). Default true;
   * false keeps only counts, so memory no longer grows with the number of sessions.
   */
  keepSessions?: boolean;
  /**
   * Per-session records, streamed: each session is parked in a temp file when it closes and handed
   * over with its indicators' verdicts once the lookups are done (awaited, so a slow writer holds the
   * reading back, not memory). With it `report.sessions` stays empty. Not called on a dry run.
   */
  onSession?: (record: SessionRecord) => void | Promise<void>;
  /** Add the file hashes and URLs found to this watchlist (created when missing); not on a dry run. */
  watchlist?: string;
  /** Log time after which a session without a close event is closed as unterminated (default 15 min). */
  idleCloseMs?: number;
  /** Open sessions held at most (default 20000). */
  maxOpenSessions?: number;
  /**
   * Save the state file even when some lookups failed (default false: the next run reads those lines
   * again and retries only what failed, since every answer already obtained is cached).
   */
  saveStateOnFailure?: boolean;
}
export type EnrichedCowrieReport = CowrieReport & {
  dryRun: boolean;
  providers: ProviderRun[];
  failures: LookupFailure[];
};

export interface CowrieEnrichStats {
  files: number;
  /** Files with nothing new since the state file was saved. */
  filesUnchanged: number;
  fileErrors: number;
  bytesRead: number;
  bytesTotal: number;
  lines: number;
  events: number;
  badLines: number;
  truncatedLines: number;
  sessions: number;
  indicators: number;
  /** File hashes with no fresh VirusTotal answer in the cache (looked up first). */
  newHashes: number;
  knownHashes: number;
  lookupsTotal: number;
  lookupsDone: number;
  fromCache: number;
  upstreamCalls: number;
  failed: number;
  skippedProviders: ProviderName[];
  stateSaved: boolean;
  /** Why the state file was not saved, when one was given. */
  stateNote?: string;
  /** What `watchlist` did. */
  watchlist?: CowrieWatchlistResult;
}

export interface CowrieWatchlistResult {
  name: string;
  /** Indicators new to the list. */
  added: number;
  /** Already on it. */
  existing: number;
}

export interface CowrieEnrichResult {
  report: EnrichedCowrieReport;
  /** Dry run only: the cost per enabled provider. */
  estimate?: Partial<Record<ProviderName, Estimate>>;
  stats: CowrieEnrichStats;
  /** Per-file reading details (lines, bad lines, errors, where a resumed file started). */
  read: CowrieReadStats;
}

// ---- the batch run -------------------------------------------------------------------------------
