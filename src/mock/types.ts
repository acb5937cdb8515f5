import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock/index.js';

/** Requests allowed per window for one API key. A missing window takes the profile's value. */
export interface MockQuotaLimits {
  /** Sliding 60-second window: at most this many requests in ANY 60 s span. */
  minute?: number;
  /** Calendar windows in UTC: the hour, the day (00:00 UTC) and the month (the 1st, 00:00 UTC). */
  hour?: number;
  day?: number;
  month?: number;
}

export interface MockFaults {
  /** Added (in real time) before every answer. */
  latencyMs?: number;
  /** Share 0..1 of requests answered 503 TransientError (or `errorStatus`). */
  errorRate?: number;
  errorStatus?: 500 | 502 | 503 | 504;
  /** Share of requests accepted and never answered (until the client gives up or close()). */
  timeoutRate?: number;
  /** Share of requests whose socket is destroyed without an answer. */
  dropRate?: number;
  /** Share of requests answered 429 TooManyRequestsError. */
  tooManyRate?: number;
  /** Every request answered 429 QuotaExceededError. */
  quotaStorm?: boolean;
  /** Seed of the fault PRNG; setting faults re-seeds it, so a run of requests is repeatable. */
  seed?: number;
}

export interface MockOptions {
  /** 0 (default) = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Quota profile; default 'public' (4/min, 240/h, 500/day, 15500/month). */
  profile?: 'public' | 'premium';
  /** Overrides the profile's limits, window by window. */
  limits?: MockQuotaLimits;
  /** When given, any other key gets 401 WrongCredentialsError. */
  keys?: string[];
  /** Limits of their own for some keys (a pool of keys of different tiers); other keys take `limits`. */
  keyLimits?: Record<string, MockQuotaLimits>;
  faults?: MockFaults;
  /** How long a new analysis stays queued, then in-progress (clock ms); default 2000/3000. */
  analysisSteps?: { queuedMs: number; inProgressMs: number };
  /** Quota windows and analysis progress use it; default systemClock. */
  clock?: Clock;
  /** Share of unknown file hashes and URL ids answered 404; default 0.2. */
  notFoundShare?: number;
  /** Extra simulators (URLhaus, DShield, SPUR) mounted on the same server. */
  routes?: MockRoute[];
  /** Seed of the fault PRNG (default 1), used when the faults carry no seed of their own. */
  seed?: number;
  /** Largest file accepted by an upload URL (default 650 MiB) and by POST /files (default 32 MiB). */
  maxUploadBytes?: number;
  maxDirectUploadBytes?: number;
}

export interface MockRequestRecord {
  /** Clock time (epoch ms). */
  at: number;
  method: string;
  /** Template, e.g. `GET /files/{id}`. */
  endpoint: string;
  /** keyLabel() of the API key, never the key itself. */
  key: string;
  /** HTTP status answered; 0 when the request got no answer (dropped or hung by a fault). */
  status: number;
}

export interface MockStats {
  total: number;
  rejected429: number;
  byEndpoint: Record<string, number>;
  byKey: Record<string, number>;
  byStatus: Record<string, number>;
  /** Bounded to the last 100000. */
  requests: MockRequestRecord[];
  /** Requests whose socket a fault destroyed, and requests a fault left unanswered. */
  dropped: number;
  hung: number;
}

export type MockKind = 'file' | 'url' | 'domain' | 'ip';

/** Stats by VT category name (`malicious`, `type-unsupported`, ...); missing ones are 0, `undetected` fills up. */
export type MockVerdictStats = Partial<Record<string, number>>;

export interface MockServer {
  /** Origin, e.g. http://127.0.0.1:PORT */
  url: string;
  port: number;
  stats(): MockStats;
  /** Zeroes the stats and the quota counters (known objects, verdicts, faults and limits stay). */
  reset(): void;
  /** Replaces the faults (and re-seeds the fault PRNG). */
  setFaults(f: MockFaults): void;
  /** What the simulator answers for this indicator from now on. */
  setVerdict(kind: MockKind, id: string, stats: MockVerdictStats | 'not_found'): void;
  /** Replaces the limits live (windows not given take the profile's value). */
  setLimits(l: MockQuotaLimits): void;
  /** Gives one key limits of its own, live (windows not given take the profile's value). */
  setKeyLimits(key: string, l: MockQuotaLimits): void;
  /** From now on the key is answered 401 WrongCredentialsError (as VirusTotal does for a revoked key). */
  revokeKey(key: string): void;
  /** Resolves once every socket is closed (hung requests included). */
  close(): Promise<void>;
}

/** Extra simulators plug in here: return true when the request was handled. */
export type MockRoute = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: MockContext,
) => boolean | Promise<boolean>;

export interface MockContext {
  clock: Clock;
  /** The simulator's origin, e.g. http://127.0.0.1:PORT */
  origin: string;
  /** Counts a request in the stats; pass the raw key (it is labelled here) or '' when none. */
  record(endpoint: string, key: string, status: number): void;
  /** Answers JSON (gzipped when the request accepts it, except 429s). */
  json(res: ServerResponse, status: number, body: unknown): void;
  /** Reads the whole body; rejects with a MockBodyTooLarge error past `limit` bytes (default 1 MiB). */
  readBody(req: IncomingMessage, limit?: number): Promise<Buffer>;
  faults(): MockFaults;
  /**
   * Applies the current faults to this request (latency, then 429 / 5xx / hang / drop) and records
   * a faulted request in the stats. Returns true when a fault took the request over.
   */
  applyFaults(req: IncomingMessage, res: ServerResponse, endpoint: string, key: string): Promise<boolean>;
}
