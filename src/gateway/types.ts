/** The Gateway's public shapes: what the CLI, the HTTP service and library users see. */
import type { ClusterStatus } from './cluster/index.js';
import type { CacheStats } from '../cache/index.js';
import type { QuotaSummary } from '../governor/index.js';
import type { Indicator, IndicatorKind } from '../indicators/index.js';
import type { ProviderName, Report, Verdict } from '../providers/types.js';
import type { Priority } from '../scheduler/index.js';
import type { YaraMatch } from '../archives/types.js';
import type { BatchItem, BatchJob, Change, Observation, YaraObservation } from '../store/index.js';
import type { DayFigures } from './daily-stats.js';

export type { Priority } from '../scheduler/index.js';

/** Where an answer came from. */
export type Source = 'cache' | 'upstream' | 'stale';

export interface LookupOptions {
  /** Default 'virustotal'. */
  provider?: ProviderName;
  /** Default 'interactive'. */
  priority?: Priority;
  /** Fairness group inside a priority class (e.g. the API token). */
  tenant?: string;
  signal?: AbortSignal;
  /** Refetch when the cached answer is older than this (0 forces a fresh answer). */
  maxAgeMs?: number;
  /** When the quota is exhausted, answer an expired cache entry marked stale (default true). */
  allowStale?: boolean;
  /** Answer an expired entry at once and refresh it at background priority (default false). */
  staleWhileRevalidate?: boolean;
  /** When no answer is cached and the quota is exhausted: wait for it (default true) or fail with QuotaExhaustedError. */
  waitForQuota?: boolean;
  /** Never spend quota: answer from the cache or fail with NotCachedError (the reader role). */
  cacheOnly?: boolean;
  /** Called when the answer needed an upstream call (for per-token budgets). */
  onUpstreamCall?: () => void | Promise<void>;
}

export interface LookupResult {
  indicator: Indicator;
  provider: ProviderName;
  source: Source;
  stale: boolean;
  /** Age of the answer in ms (now - fetchedAt). */
  ageMs: number;
  fetchedAt: number;
  /** The answer came from the built-in simulator (mock mode), not from the provider. */
  simulated?: true;
  report: Report;
}

export type LookupOutcome =
  | { input: string; ok: true; result: LookupResult }
  | { input: string; ok: false; error: { code: string; message: string } };

export interface LookupProgress {
  total: number;
  done: number;
  failed: number;
  cached: number;
  upstream: number;
  stale: number;
}

export interface LookupManyOptions extends Omit<LookupOptions, 'onUpstreamCall'> {
  onProgress?: (p: LookupProgress) => void;
  onResult?: (o: LookupOutcome, index: number) => void;
  /** Lookups submitted at once (default 256); the scheduler paces upstream calls anyway. */
  window?: number;
}

export interface Estimate {
  provider: ProviderName;
  total: number;
  invalid: number;
  duplicates: number;
  cached: number;
  inFlight: number;
  upstream: number;
  quota: QuotaSummary;
  /** The priority the calls would run at: below interactive, they leave the interactive reserve alone. */
  priority: Priority;
  /** The share of the day and month windows kept for interactive lookups (0 at interactive priority). */
  reserve: number;
  /** Until the last of the `upstream` calls could be granted at `priority` (every window, the reserve). */
  etaMs: number;
}

export interface ProviderStatus {
  name: ProviderName;
  enabled: boolean;
  note?: string;
  quota?: QuotaSummary;
}

export interface QuotaView extends QuotaSummary {
  provider: ProviderName;
  mock: boolean;
  /** `cluster`: the counts are shared by every instance on the Redis (Redis governor, Redis up); `instance`: this process's own. */
  scope?: 'cluster' | 'instance';
}

export interface HistoryView {
  indicator: Indicator;
  provider: ProviderName;
  observations: Observation[];
  changes: Change[];
  /** Files only: each scan in which a local YARA rule matched the file, oldest first. */
  yara?: YaraObservation[];
}

export interface GatewayStats {
  /** This instance's name (VTG_INSTANCE_ID, default host:pid); every figure below is this instance's since it started. */
  instanceId: string;
  startedAt: number;
  uptimeMs: number;
  mock: boolean;
  lookups: number;
  cacheHits: number;
  staleServed: number;
  upstreamCalls: number;
  /** Lookups answered without a call of their own: cache hits, stale answers and single-flight joins. */
  upstreamCallsSaved: number;
  singleFlightJoins: number;
  errors: number;
  hitRatio: number;
  queueDepth: Record<ProviderName, Record<Priority, number>>;
  cache: CacheStats;
  changes: number;
  /** 429 answers received from upstreams (each paused the key or backed off; none was lost). */
  upstream429: number;
  /** Upstream calls retried after a transient failure. */
  upstreamRetries: number;
  /** The same figures for the UTC day, over restarts and every instance on the store (the others count since start). */
  today: DayFigures;
  /** Cluster mode: the same counters summed over the live instances (null without Redis). */
  cluster: ClusterStats | null;
}

/** Counters summed over the live instances of a cluster, each since it started. */
export interface ClusterStats {
  scope: 'cluster';
  redis: 'ready' | 'down';
  instances: number;
  /** The live instances' names (VTG_INSTANCE_ID), this one's among them. */
  instanceIds: string[];
  lookups: number;
  cacheHits: number;
  staleServed: number;
  upstreamCalls: number;
  upstreamCallsSaved: number;
  singleFlightJoins: number;
  /** Lookups answered after waiting for another instance's upstream call. */
  clusterJoins: number;
  errors: number;
  hitRatio: number;
  upstream429: number;
  upstreamRetries: number;
  changes: number;
}

export interface Health {
  status: 'ok' | 'degraded';
  /** Which instance answered (VTG_INSTANCE_ID, default host:pid). */
  instance: { id: string; startedAt: number };
  /** Cluster mode: Redis's state as the coordination link sees it, the live instances, the roles held here. */
  cluster: ClusterStatus | null;
  mock: boolean;
  keyConfigured: boolean;
  upstreamReachable: boolean | null;
  store: 'ok' | 'error';
  /** The store's engine and, on PostgreSQL, whether it is reachable and how many writes wait for it in memory. */
  database: { engine: 'sqlite' | 'postgres'; state: 'up' | 'down'; queued?: number; queueLimit?: number; downSince?: number | null };
  redis: 'ready' | 'down' | 'disabled';
  providers: ProviderStatus[];
  version: string;
  uptimeMs: number;
}

export interface ScanFileOptions {
  password?: string;
  /** Upload even when VirusTotal already knows the file. */
  force?: boolean;
  /** False: look the hash up and never upload (upload policy `never`), whatever VirusTotal answers. */
  upload?: boolean;
  priority?: Priority;
  tenant?: string;
  signal?: AbortSignal;
  filename?: string;
}

export interface ScanResult {
  /** The file's sha256 or the URL. */
  target: string;
  kind: 'file' | 'url';
  /** True when an upload/submission was made; false when the known report answered it. */
  submitted: boolean;
  analysisId: string | null;
  /** The known report when not submitted. */
  report?: LookupResult;
  /** Files only, when local YARA rules are configured (files up to 64 MiB): the rules that matched. */
  yara?: YaraMatch[];
}

export interface AnalysisView {
  id: string;
  status: 'queued' | 'in-progress' | 'completed';
  stats: Record<string, number>;
  /** The VirusTotal analysis response `{data, meta}` as received. */
  raw: unknown;
  /** Epoch ms when the gateway last polled upstream for it. */
  polledAt: number;
  /** The analysis ran on the built-in simulator (mock mode). */
  simulated?: true;
}

export interface BatchCreateOptions {
  priority?: Priority;
  /** Max upstream calls the batch may spend; items beyond are answered from cache or skipped. */
  budget?: number | null;
  webhook?: string | null;
  owner?: string | null;
  provider?: ProviderName;
}

export interface BatchView {
  job: BatchJob;
  etaMs: number | null;
}

export type { BatchItem, BatchJob, Change, IndicatorKind, Observation, Verdict };
