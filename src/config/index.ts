/**
 * One validated configuration object, from (in rising precedence) defaults, the config file,
 * the environment and explicit overrides (CLI flags). Secrets come only from env or the file.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors.js';
import { type KeyPolicy, keyPolicy, keyPool, type PoolKeyConfig } from './key-pool.js';
import type { FileConfig, LimitsConfig } from './schema.js';

// zod (the file's schema) loads only when there is a config file to check: a command run without
// one starts faster. require() of an ES module is synchronous on Node >= 20.19, as loadConfig is.
const requireSchema = () => createRequire(import.meta.url)('./schema.js') as typeof import('./schema.js');

export type { FileConfig, LimitsConfig } from './schema.js';

export interface ProviderEndpoint {
  url: string;
  limits: LimitsConfig;
}

export interface GatewayConfig {
  dataDir: string;
  /** True when no VirusTotal key is configured: every provider runs on the built-in simulator. */
  mock: boolean;
  mockProfile: 'public' | 'premium';
  virustotal: ProviderEndpoint & {
    apiKey?: string;
    userId?: string;
    maliciousThreshold: number;
    timeoutMs: number;
    proxy?: string;
    /** True when the limits came from VTG_VT_LIMITS or the config file (they then act as caps). */
    limitsExplicit: boolean;
    /** The key pool (VT_API_KEYS, the file's `keys`, else VT_API_KEY alone); empty in mock mode. `apiKey` is its first key. */
    keys: PoolKeyConfig[];
    /** Which key a call goes to (VTG_KEY_POLICY): the first with room, or the one with most room. */
    keyPolicy: KeyPolicy;
  };
  urlhaus: ProviderEndpoint & { apiKey?: string };
  dshield: ProviderEndpoint & { email?: string };
  spur: ProviderEndpoint & { apiKey?: string };
  redis?: { url: string; cacheTtlMs: number };
  /**
   * The store in PostgreSQL instead of the SQLite file in `dataDir` (`--database` / VTG_DATABASE_URL /
   * `database.url`). `queueLimit`: observations kept in memory while PostgreSQL is down (VTG_DATABASE_QUEUE).
   */
  database?: { url: string; queueLimit: number };
  /** Several instances on one Redis: this one's name (VTG_INSTANCE_ID, default host:pid) and the lease length (VTG_CLUSTER_LEASE seconds). */
  cluster: { instanceId: string; leaseMs: number };
  scheduler: { concurrency: number; interactiveReserve: number; reconcileIntervalMs: number; analysisPollMs: number };
  cache: {
    memoryEntries: number;
    maxBytes: number;
    maxAgeMs: number;
    maxEntriesPerKind: number;
    /** Serve a stale entry instead of waiting longer than this for quota. */
    staleIfWaitMs: number;
  };
  history: { minDetectionDelta: number };
  /** Spending the day's unused quota in its last hours (`harvest: false` or VTG_HARVEST=off turns it off). */
  harvest: { enabled: boolean; windowHours: number; marginCalls: number };
  server: {
    host: string;
    port: number;
    webhookAllowlist: string[];
    publicHealth: boolean;
    /** Extra names the service answers to in `Host` (VTG_ALLOWED_HOSTS; `.domain` for subdomains, `*` for any). */
    allowedHosts: string[];
    /** `VTG_LOG_LEVEL` (pino level); default info. */
    logLevel?: string;
    /** `VTG_ACCESS_LOG_FLUSH_MS`: longest an access-log line is held before it is written (0: written each event-loop turn); default 100. */
    accessLogFlushMs: number;
  };
  /** Hostile content: YARA rules, scan-from-URL limits, the upload policy. */
  content: {
    /** Directory (or file) of .yar/.yara rules (VTG_YARA_DIR). */
    yaraDir?: string;
    /** Hosts or addresses scan-from-URL may reach even when private (VTG_FETCH_ALLOWLIST). */
    fetchAllowlist: string[];
    fetchMaxBytes: number;
    fetchTimeoutMs: number;
    /** Default upload policy for archive members and fetched files (VTG_UPLOADS). */
    uploads: 'never' | 'unknown-only' | 'always';
    /** Per-token upload policy set by an admin (config file `content.tokenUploads`, by token name). */
    tokenUploads: Record<string, 'never' | 'unknown-only' | 'always'>;
  };
  /** Where the config was read from, if a file was used. */
  configFile?: string;
}

export { ConfigError } from './errors.js';
export { KEY_POLICIES, type KeyPolicy, type PoolKeyConfig, parseKeyList } from './key-pool.js';

const DAY = 86_400_000;

/** VirusTotal public key (seed 000): 4 a minute spaced by a burst-1 bucket, 500 a day, 15.5K a month. */
export const DEFAULT_VT_LIMITS: LimitsConfig = { minute: 4, day: 500, month: 15_500, burst: 1 };
/** What the built-in simulator enforces per profile, so mock mode paces itself like the simulated key. */
const SIMULATOR_VT_LIMITS: Record<'public' | 'premium', LimitsConfig> = {
  public: { minute: 4, hour: 240, day: 500, month: 15_500, burst: 1 },
  premium: { minute: 1000, hour: 60_000, day: 1_000_000, month: 30_000_000, burst: 50 },
};
const DEFAULT_OTHER_LIMITS = {
  urlhaus: { ratePerSec: 2, burst: 3 },
  dshield: { ratePerSec: 1, burst: 2 },
  spur: { ratePerSec: 1, burst: 2 },
} satisfies Record<string, LimitsConfig>;

export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VTG_CONFIG) return env.VTG_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'vt-gateway', 'config.json');
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VTG_DATA_DIR) return env.VTG_DATA_DIR;
  const base = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'vt-gateway');
}

/** Parses `minute=4,hour=240,day=500,month=15500,rate=2,burst=3`. */
export function parseLimits(text: string): LimitsConfig {
  const out: Record<string, number> = {};
  const names: Record<string, string> = {
    minute: 'minute',
    hour: 'hour',
    day: 'day',
    month: 'month',
    rate: 'ratePerSec',
    burst: 'burst',
  };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=').map((s) => s.trim());
    const field = name ? names[name] : undefined;
    const n = Number(value);
    if (!field || value === undefined || !Number.isFinite(n) || n <= 0) {
      throw new ConfigError(`bad limit "${part}": expected name=number with name one of ${Object.keys(names).join(', ')}`);
    }
    out[field] = n;
  }
  return out;
}

function readFileConfig(path: string, explicit: boolean): FileConfig {
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError(`config file not found: ${path}`);
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const checked = requireSchema().validateFileConfig(raw);
  if ('error' in checked) throw new ConfigError(`config file ${path} is invalid:\n${checked.error}`);
  return checked.data;
}

/** True when a file holding secrets can be read by group or others. */
export function isTooOpen(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

function envNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} must be a non-negative number, got "${v}"`);
  return n;
}

function nonEmpty(...values: Array<string | undefined>): string | undefined {
  for (const v of values) if (v !== undefined && v.trim() !== '') return v.trim();
  return undefined;
}

function redisFromEnv(env: NodeJS.ProcessEnv, file: FileConfig): GatewayConfig['redis'] {
  const ttlSeconds = envNumber(env, 'VIRUSTOTAL_REDIS_TTL') ?? file.redis?.cacheTtlSeconds ?? 86_400;
  let url = nonEmpty(env.REDIS_URL, file.redis?.url);
  if (!url && /^(1|true|yes)$/i.test(env.VIRUSTOTAL_USE_REDIS ?? '')) {
    const host = env.REDIS_HOST || '127.0.0.1';
    const port = env.REDIS_PORT || '6379';
    const db = env.REDIS_DB || env.VIRUSTOTAL_REDIS_DB || '0';
    const auth = env.REDIS_PASSWORD ? `:${encodeURIComponent(env.REDIS_PASSWORD)}@` : '';
    url = `redis://${auth}${host}:${port}/${db}`;
  }
  return url ? { url, cacheTtlMs: ttlSeconds * 1000 } : undefined;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of the config file; default VTG_CONFIG or ~/.config/vt-gateway/config.json (optional). */
  file?: string;
  /** Values from flags, highest precedence. */
  overrides?: {
    dataDir?: string;
    host?: string;
    port?: number;
    redisUrl?: string;
    databaseUrl?: string;
    mockProfile?: 'public' | 'premium';
    virustotalUrl?: string;
    yaraDir?: string;
  };
}

export function loadConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const path = options.file ?? defaultConfigFile(env);
  const file = readFileConfig(path, options.file !== undefined || env.VTG_CONFIG !== undefined);
  const o = options.overrides ?? {};

  const singleKey = nonEmpty(env.VT_API_KEY, env.VIRUSTOTAL_API_KEY, env.COWRIEPROC_VT_API, file.virustotal?.apiKey);
  const poolListed = !!env.VT_API_KEYS?.trim() || (file.virustotal?.keys?.length ?? 0) > 0;
  const vtKey = poolListed ? undefined : singleKey;
  const profile = o.mockProfile ?? (env.VTG_MOCK_PROFILE as 'public' | 'premium' | undefined) ?? file.mock?.profile ?? 'premium';
  if (profile !== 'public' && profile !== 'premium') throw new ConfigError(`VTG_MOCK_PROFILE must be public or premium, got "${profile}"`);
  const vtLimits = env.VTG_VT_LIMITS
    ? parseLimits(env.VTG_VT_LIMITS)
    : (file.virustotal?.limits ?? (vtKey === undefined && !poolListed ? SIMULATOR_VT_LIMITS[profile] : DEFAULT_VT_LIMITS));
  const vtLimitsExplicit = env.VTG_VT_LIMITS !== undefined || file.virustotal?.limits !== undefined;
  const pool = keyPool(env, file, vtKey, vtLimits, vtLimitsExplicit);

  const port = o.port ?? envNumber(env, 'VTG_PORT') ?? file.server?.port ?? 8290;
  if (!Number.isInteger(port) || port > 65535) throw new ConfigError(`port must be an integer 0-65535, got ${port}`);
  const threshold = envNumber(env, 'VTG_MALICIOUS_THRESHOLD') ?? file.virustotal?.maliciousThreshold ?? 1;
  const reserve = envNumber(env, 'VTG_INTERACTIVE_RESERVE') ?? file.scheduler?.interactiveReserve ?? 0.2;
  if (reserve >= 1) throw new ConfigError('VTG_INTERACTIVE_RESERVE must be a fraction below 1 (e.g. 0.2)');

  const redis = o.redisUrl ? { url: o.redisUrl, cacheTtlMs: (envNumber(env, 'VIRUSTOTAL_REDIS_TTL') ?? 86_400) * 1000 } : redisFromEnv(env, file);

  return {
    dataDir: o.dataDir ?? nonEmpty(env.VTG_DATA_DIR, file.dataDir) ?? defaultDataDir(env),
    mock: pool.length === 0,
    mockProfile: profile,
    virustotal: {
      apiKey: pool[0]?.apiKey,
      url: o.virustotalUrl ?? nonEmpty(env.VTG_VIRUSTOTAL_URL, file.virustotal?.url) ?? 'https://www.virustotal.com',
      userId: nonEmpty(env.VTG_VT_USER, file.virustotal?.userId),
      limits: vtLimits,
      limitsExplicit: vtLimitsExplicit,
      keys: pool,
      keyPolicy: keyPolicy(nonEmpty(env.VTG_KEY_POLICY, file.virustotal?.keyPolicy)),
      maliciousThreshold: threshold,
      timeoutMs: file.virustotal?.timeoutMs ?? 30_000,
      proxy: nonEmpty(file.virustotal?.proxy, env.HTTPS_PROXY, env.https_proxy),
    },
    urlhaus: {
      apiKey: nonEmpty(env.URLHAUS_API_KEY, file.urlhaus?.apiKey),
      url: nonEmpty(env.VTG_URLHAUS_URL, file.urlhaus?.url) ?? 'https://urlhaus-api.abuse.ch',
      limits: file.urlhaus?.limits ?? DEFAULT_OTHER_LIMITS.urlhaus,
    },
    dshield: {
      email: nonEmpty(env.DSHIELD_EMAIL, file.dshield?.email),
      url: nonEmpty(env.VTG_DSHIELD_URL, file.dshield?.url) ?? 'https://isc.sans.edu',
      limits: file.dshield?.limits ?? DEFAULT_OTHER_LIMITS.dshield,
    },
    spur: {
      apiKey: nonEmpty(env.SPUR_API_KEY, file.spur?.apiKey),
      url: nonEmpty(env.VTG_SPUR_URL, file.spur?.url) ?? 'https://api.spur.us',
      limits: file.spur?.limits ?? DEFAULT_OTHER_LIMITS.spur,
    },
    redis,
    ...databaseConfig(env, file, o.databaseUrl),
    cluster: clusterConfig(env),
    scheduler: {
      concurrency: file.scheduler?.concurrency ?? 4,
      interactiveReserve: reserve,
      reconcileIntervalMs: (envNumber(env, 'VTG_RECONCILE_INTERVAL') ?? file.scheduler?.reconcileIntervalSeconds ?? 300) * 1000,
      analysisPollMs: (envNumber(env, 'VTG_ANALYSIS_POLL') ?? file.scheduler?.analysisPollSeconds ?? 15) * 1000,
    },
    cache: {
      memoryEntries: file.cache?.memoryEntries ?? 10_000,
      maxBytes: (envNumber(env, 'VTG_CACHE_MAX_MB') ?? file.cache?.maxMegabytes ?? 100) * 1024 * 1024,
      maxAgeMs: (envNumber(env, 'VTG_CACHE_MAX_AGE_DAYS') ?? file.cache?.maxAgeDays ?? 30) * DAY,
      maxEntriesPerKind: envNumber(env, 'VTG_CACHE_MAX_ENTRIES') ?? file.cache?.maxEntriesPerKind ?? 10_000,
      staleIfWaitMs: (envNumber(env, 'VTG_STALE_IF_WAIT') ?? file.cache?.staleIfWaitSeconds ?? 5) * 1000,
    },
    history: { minDetectionDelta: file.history?.minDetectionDelta ?? 3 },
    harvest: harvestConfig(env, file),
    server: {
      host: o.host ?? nonEmpty(env.VTG_HOST, file.server?.host) ?? '127.0.0.1',
      port,
      webhookAllowlist: (env.VTG_WEBHOOK_ALLOWLIST?.split(',').map((s) => s.trim()).filter(Boolean) ?? file.server?.webhookAllowlist) ?? [],
      publicHealth: file.server?.publicHealth ?? true,
      allowedHosts: (env.VTG_ALLOWED_HOSTS?.split(',').map((s) => s.trim()).filter(Boolean) ?? file.server?.allowedHosts) ?? [],
      ...(nonEmpty(env.VTG_LOG_LEVEL) ? { logLevel: nonEmpty(env.VTG_LOG_LEVEL) } : {}),
      accessLogFlushMs: accessLogFlushMs(env),
    },
    content: {
      yaraDir: nonEmpty(o.yaraDir, env.VTG_YARA_DIR, file.content?.yaraDir),
      fetchAllowlist: (env.VTG_FETCH_ALLOWLIST?.split(',').map((s) => s.trim()).filter(Boolean) ?? file.content?.fetchAllowlist) ?? [],
      fetchMaxBytes: (envNumber(env, 'VTG_FETCH_MAX_MB') ?? file.content?.fetchMaxMegabytes ?? 100) * 1024 * 1024,
      fetchTimeoutMs: (envNumber(env, 'VTG_FETCH_TIMEOUT') ?? file.content?.fetchTimeoutSeconds ?? 60) * 1000,
      uploads: uploadPolicy(nonEmpty(env.VTG_UPLOADS, file.content?.uploads) ?? 'never'),
      tokenUploads: file.content?.tokenUploads ?? {},
    },
    configFile: existsSync(path) ? path : undefined,
  };
}

function accessLogFlushMs(env: NodeJS.ProcessEnv): number {
  const ms = envNumber(env, 'VTG_ACCESS_LOG_FLUSH_MS') ?? 100;
  if (!(Number.isInteger(ms) && ms >= 0 && ms <= 60_000)) throw new ConfigError('VTG_ACCESS_LOG_FLUSH_MS must be a whole number of milliseconds from 0 to 60000');
  return ms;
}

function harvestConfig(env: NodeJS.ProcessEnv, file: FileConfig): GatewayConfig['harvest'] {
  const f = file.harvest === false ? { enabled: false } : (file.harvest ?? {});
  const flag = env.VTG_HARVEST?.trim().toLowerCase();
  const enabled = flag === undefined || flag === '' ? f.enabled !== false : !['0', 'false', 'off', 'no'].includes(flag);
  const windowHours = envNumber(env, 'VTG_HARVEST_HOURS') ?? f.hours ?? 2;
  if (!(windowHours > 0 && windowHours <= 24)) throw new ConfigError('VTG_HARVEST_HOURS must be between 0 and 24 (hours before midnight UTC)');
  const marginCalls = envNumber(env, 'VTG_HARVEST_MARGIN') ?? f.marginCalls ?? 10;
  if (!(marginCalls >= 0)) throw new ConfigError('VTG_HARVEST_MARGIN must be a number of calls >= 0');
  return { enabled, windowHours, marginCalls };
}

function databaseConfig(env: NodeJS.ProcessEnv, file: FileConfig, flag: string | undefined): { database?: GatewayConfig['database'] } {
  const url = nonEmpty(flag, env.VTG_DATABASE_URL, file.database?.url);
  if (url === undefined) return {};
  if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('the database URL must start with postgres:// or postgresql:// (SQLite needs none: it is the default)');
  const queueLimit = envNumber(env, 'VTG_DATABASE_QUEUE') ?? file.database?.queueLimit ?? 10_000;
  if (!(Number.isInteger(queueLimit) && queueLimit >= 0)) throw new ConfigError('VTG_DATABASE_QUEUE must be a whole number of writes >= 0');
  return { database: { url, queueLimit } };
}

function clusterConfig(env: NodeJS.ProcessEnv): GatewayConfig['cluster'] {
  const leaseSeconds = envNumber(env, 'VTG_CLUSTER_LEASE') ?? 15;
  if (!(leaseSeconds >= 1 && leaseSeconds <= 3600)) throw new ConfigError('VTG_CLUSTER_LEASE must be between 1 and 3600 seconds');
  return { instanceId: nonEmpty(env.VTG_INSTANCE_ID) ?? `${hostname()}:${process.pid}`, leaseMs: leaseSeconds * 1000 };
}

function uploadPolicy(v: string): 'never' | 'unknown-only' | 'always' {
  if (v === 'never' || v === 'unknown-only' || v === 'always') return v;
  throw new ConfigError(`VTG_UPLOADS must be never, unknown-only or always, got "${v}"`);
}

/** Every secret in a config, so loggers can scrub them as literal strings. */
export function secretsOf(config: GatewayConfig): string[] {
  return [config.virustotal.apiKey, ...config.virustotal.keys.map((k) => k.apiKey), config.urlhaus.apiKey, config.spur.apiKey, databasePassword(config)].filter((s): s is string => !!s);
}

function databasePassword(config: GatewayConfig): string | undefined {
  if (!config.database) return undefined;
  try {
    const password = new URL(config.database.url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/** The config as it may be shown: secrets masked (first 4 characters and the length only). */
export function redactedConfig(config: GatewayConfig): unknown {
  const mask = (s?: string) => (s ? `${s.slice(0, 4)}${'*'.repeat(Math.max(4, s.length - 4))} (${s.length} chars)` : null);
  return {
    ...config,
    virustotal: {
      ...config.virustotal,
      apiKey: mask(config.virustotal.apiKey),
      keys: config.virustotal.keys.map((k) => ({ ...k, apiKey: mask(k.apiKey) })),
    },
    urlhaus: { ...config.urlhaus, apiKey: mask(config.urlhaus.apiKey) },
    spur: { ...config.spur, apiKey: mask(config.spur.apiKey) },
    redis: config.redis ? { ...config.redis, url: config.redis.url.replace(/\/\/[^@/]*@/, '//***@') } : undefined,
    database: config.database ? { ...config.database, url: config.database.url.replace(/\/\/[^@/]*@/, '//***@') } : undefined,
  };
}
