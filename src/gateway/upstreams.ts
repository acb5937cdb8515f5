/**
 * One governor key and scheduler per upstream, from the config, at open; the provider clients (undici,
 * response schemas) and, in mock mode, the simulator load on the first call that needs them, so a
 * command answered from the cache never loads them.
 */
import type { Clock } from '../clock/index.js';
import type { GatewayConfig, LimitsConfig } from '../config/index.js';
import { DEFAULT_LIMITS, type Governor, KeyPool, keyLabel, type PoolMember } from '../governor/index.js';
import type { MockServer } from '../mock/index.js';
import type { IndicatorKind } from '../indicators/index.js';
import { PROVIDER_KINDS, type Provider, type ProviderName } from '../providers/types.js';
import { Scheduler, type SchedulerEvent } from '../scheduler/index.js';
import type { UpstreamClients } from './upstream-clients.js';
import { memberKey, vtPoolKeys } from './key-pool.js';
import { SIMULATOR_KEYS, startSimulator } from './simulator.js';

export type { UpstreamClients } from './upstream-clients.js';

export interface Upstream {
  name: ProviderName;
  /** Governor key label (never the secret); a pool of several keys answers under `<provider>:pool`. */
  key: string;
  /** VirusTotal's key pool (one member per key, a single key included). */
  members?: PoolMember[];
  /** Present when the pool has several keys. */
  pool?: KeyPool;
  /** Absent when the provider is not configured (see `note`). */
  scheduler?: Scheduler;
  note?: string;
}

/** The secret (or contact address) each provider uses; the simulator's own keys in mock mode. */
export function upstreamSecrets(config: GatewayConfig): Record<ProviderName, string | undefined> {
  const sim = config.mock;
  return {
    virustotal: sim ? SIMULATOR_KEYS.virustotal : config.virustotal.apiKey,
    urlhaus: sim ? SIMULATOR_KEYS.urlhaus : config.urlhaus.apiKey,
    dshield: sim ? SIMULATOR_KEYS.dshieldEmail : config.dshield.email,
    spur: sim ? SIMULATOR_KEYS.spur : config.spur.apiKey,
  };
}

const NOTES: Record<Exclude<ProviderName, 'virustotal'>, string> = {
  urlhaus: 'URLhaus skipped: set URLHAUS_API_KEY (an abuse.ch Auth-Key) to enable it',
  dshield: 'DShield skipped: set DSHIELD_EMAIL (ISC asks for a contact address in the User-Agent)',
  spur: 'SPUR skipped: set SPUR_API_KEY to enable it',
};

export class Upstreams {
  readonly #map = new Map<ProviderName, Upstream>();
  #clients: Promise<UpstreamClients> | undefined;
  #loaded: UpstreamClients | undefined;
  #simulator: MockServer | undefined;
  #onLoad: Array<() => void> = [];
  #closed = false;

  constructor(
    private readonly config: GatewayConfig,
    governor: Governor,
    private readonly clock: Clock,
    onEvent: (provider: ProviderName, e: SchedulerEvent) => void,
  ) {
    const secrets = upstreamSecrets(config);
    const limits: Record<ProviderName, LimitsConfig> = {
      virustotal: config.virustotal.limits,
      urlhaus: config.urlhaus.limits,
      dshield: config.dshield.limits,
      spur: config.spur.limits,
    };
    for (const name of ['virustotal', 'urlhaus', 'dshield', 'spur'] as const) {
      const secret = secrets[name];
      const key = `${name}:${keyLabel(secret ?? name)}`;
      if (!secret) {
        this.#map.set(name, { name, key, note: NOTES[name as keyof typeof NOTES] });
        continue;
      }
      // The governor's defaults carry a margin for network delay on the sliding minute (VirusTotal: 1 s).
      const margin = DEFAULT_LIMITS[name].minuteMarginMs;
      const withMargin = (l: LimitsConfig) => (margin === undefined ? l : { minuteMarginMs: margin, ...l });
      let pool: KeyPool | undefined;
      let members: PoolMember[] | undefined;
      let upKey = key;
      if (name === 'virustotal') {
        const keys = vtPoolKeys(config);
        members = keys.map((k) => ({ key: memberKey(k.apiKey), label: k.label ?? keyLabel(k.apiKey) }));
        for (const k of keys) governor.configure(memberKey(k.apiKey), withMargin(k.limits));
        if (members.length > 1) {
          pool = new KeyPool(governor, members, config.virustotal.keyPolicy, clock);
          upKey = 'virustotal:pool';
        }
      } else {
        governor.configure(key, withMargin(limits[name]));
      }
      const scheduler = new Scheduler({
        governor,
        key: upKey,
        ...(pool ? { pool } : {}),
        clock,
        concurrency: config.scheduler.concurrency,
        interactiveReserve: config.scheduler.interactiveReserve,
        onEvent: (e) => onEvent(name, e),
      });
      this.#map.set(name, { name, key: upKey, scheduler, ...(members ? { members } : {}), ...(pool ? { pool } : {}) });
    }
  }

  /** The key pools of several keys, under the name each answers to. */
  pools(): Map<string, KeyPool> {
    const out = new Map<string, KeyPool>();
    for (const up of this.#map.values()) if (up.pool) out.set(up.key, up.pool);
    return out;
  }

  get(name: ProviderName): Upstream | undefined {
    return this.#map.get(name);
  }

  values(): IterableIterator<Upstream> {
    return this.#map.values();
  }

  /** Configured and able to look up `kind`. */
  supports(up: Upstream, kind: IndicatorKind): boolean {
    return up.scheduler !== undefined && PROVIDER_KINDS[up.name].includes(kind);
  }

  /** The simulator's URL once it runs (mock mode, after the first upstream call). */
  get simulatorUrl(): string | undefined {
    return this.#simulator?.url;
  }

  /** Runs `fn` once the clients are loaded (at once when they already are). */
  onLoad(fn: () => void): void {
    if (this.#loaded) fn();
    else this.#onLoad.push(fn);
  }

  /** The provider clients, loaded (and the simulator started, in mock mode) on first use. */
  clients(): Promise<UpstreamClients> {
    if (this.#closed) return Promise.reject(new Error('the gateway is closed'));
    this.#clients ??= this.#load().catch((err: unknown) => {
      this.#clients = undefined;
      throw err;
    });
    return this.#clients;
  }

  async provider(name: ProviderName): Promise<Provider | undefined> {
    return (await this.clients()).providers.get(name);
  }

  async #load(): Promise<UpstreamClients> {
    const { buildClients } = await import('./upstream-clients.js');
    if (this.config.mock) this.#simulator = await startSimulator({ profile: this.config.mockProfile, clock: this.clock });
    const loaded = buildClients(this.config, upstreamSecrets(this.config), this.clock, this.#simulator?.url);
    this.#loaded = loaded;
    for (const fn of this.#onLoad.splice(0)) fn();
    return loaded;
  }

  /** Stops the schedulers; closes the clients and the simulator if they were loaded. */
  async closeSchedulers(): Promise<void> {
    for (const up of this.#map.values()) await up.scheduler?.close();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const clients = await this.#clients?.catch(() => undefined);
    await clients?.vt.close();
    await this.#simulator?.close();
  }
}
