/** Builds one provider client, governor key and scheduler per upstream from the config. */
import type { Clock } from '../clock/index.js';
import type { GatewayConfig, LimitsConfig } from '../config/index.js';
import { DEFAULT_LIMITS, type Governor, keyLabel } from '../governor/index.js';
import { DshieldClient, DshieldProvider } from '../providers/dshield/index.js';
import { SpurClient, SpurProvider } from '../providers/spur/index.js';
import type { Provider, ProviderName } from '../providers/types.js';
import { UrlhausClient, UrlhausProvider } from '../providers/urlhaus/index.js';
import { VirusTotalClient, VirusTotalProvider } from '../providers/virustotal/index.js';
import { Scheduler, type SchedulerEvent } from '../scheduler/index.js';
import { SIMULATOR_KEYS } from './simulator.js';

export interface Upstream {
  name: ProviderName;
  /** Absent when the provider is not configured (see `note`). */
  provider?: Provider;
  scheduler?: Scheduler;
  /** Governor key label (never the secret). */
  key: string;
  note?: string;
}

export interface BuiltUpstreams {
  upstreams: Map<ProviderName, Upstream>;
  vtClient: VirusTotalClient;
}

export function buildUpstreams(
  config: GatewayConfig,
  governor: Governor,
  clock: Clock,
  simulatorUrl: string | undefined,
  onEvent: (provider: ProviderName, e: SchedulerEvent) => void,
): BuiltUpstreams {
  const sim = simulatorUrl !== undefined;
  const vtKey = sim ? SIMULATOR_KEYS.virustotal : (config.virustotal.apiKey as string);
  const vtClient = new VirusTotalClient({
    apiKey: vtKey,
    baseUrl: sim ? simulatorUrl : config.virustotal.url,
    timeoutMs: config.virustotal.timeoutMs,
    ...(config.virustotal.proxy && !sim ? { proxy: config.virustotal.proxy } : {}),
  });

  const upstreams = new Map<ProviderName, Upstream>();
  const add = (name: ProviderName, secret: string, limits: LimitsConfig, provider: Provider | undefined, note?: string) => {
    const key = `${name}:${keyLabel(secret)}`;
    if (!provider) {
      upstreams.set(name, { name, key, note });
      return;
    }
    // The governor's defaults carry a margin for network delay on the sliding minute (VirusTotal: 1 s).
    const margin = DEFAULT_LIMITS[name].minuteMarginMs;
    governor.configure(key, margin === undefined ? limits : { minuteMarginMs: margin, ...limits });
    const scheduler = new Scheduler({
      governor,
      key,
      clock,
      concurrency: config.scheduler.concurrency,
      interactiveReserve: config.scheduler.interactiveReserve,
      onEvent: (e) => onEvent(name, e),
    });
    upstreams.set(name, { name, key, provider, scheduler });
  };

  add(
    'virustotal',
    vtKey,
    config.virustotal.limits,
    new VirusTotalProvider(vtClient, { maliciousThreshold: config.virustotal.maliciousThreshold, clock }),
  );

  const urlhausKey = sim ? SIMULATOR_KEYS.urlhaus : config.urlhaus.apiKey;
  add(
    'urlhaus',
    urlhausKey ?? 'urlhaus',
    config.urlhaus.limits,
    urlhausKey
      ? new UrlhausProvider(new UrlhausClient({ apiKey: urlhausKey, baseUrl: sim ? simulatorUrl : config.urlhaus.url, clock }), { clock })
      : undefined,
    'URLhaus skipped: set URLHAUS_API_KEY (an abuse.ch Auth-Key) to enable it',
  );

  const email = sim ? SIMULATOR_KEYS.dshieldEmail : config.dshield.email;
  add(
    'dshield',
    email ?? 'dshield',
    config.dshield.limits,
    email ? new DshieldProvider(new DshieldClient({ email, baseUrl: sim ? simulatorUrl : config.dshield.url, clock }), { clock }) : undefined,
    'DShield skipped: set DSHIELD_EMAIL (ISC asks for a contact address in the User-Agent)',
  );

  const spurKey = sim ? SIMULATOR_KEYS.spur : config.spur.apiKey;
  add(
    'spur',
    spurKey ?? 'spur',
    config.spur.limits,
    spurKey ? new SpurProvider(new SpurClient({ apiKey: spurKey, baseUrl: sim ? simulatorUrl : config.spur.url, clock }), { clock }) : undefined,
    'SPUR skipped: set SPUR_API_KEY to enable it',
  );

  return { upstreams, vtClient };
}
