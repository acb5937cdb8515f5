/** Builds the provider clients (loaded by `Upstreams` on the first upstream call, never at open). */
import type { Clock } from '../clock/index.js';
import type { GatewayConfig } from '../config/index.js';
import { DshieldClient, DshieldProvider } from '../providers/dshield/index.js';
import { SpurClient, SpurProvider } from '../providers/spur/index.js';
import type { Provider, ProviderName } from '../providers/types.js';
import { UrlhausClient, UrlhausProvider } from '../providers/urlhaus/index.js';
import { VirusTotalClient, VirusTotalProvider } from '../providers/virustotal/index.js';
import { memberKey, vtPoolKeys } from './key-pool.js';

/** The loaded clients: VirusTotal's, and one `Provider` per configured upstream. */
export interface UpstreamClients {
  vt: VirusTotalClient;
  providers: ReadonlyMap<ProviderName, Provider>;
}

export function buildClients(
  config: GatewayConfig,
  secrets: Record<ProviderName, string | undefined>,
  clock: Clock,
  simulatorUrl: string | undefined,
): UpstreamClients {
  const sim = simulatorUrl !== undefined;
  const pool = vtPoolKeys(config);
  const vt = new VirusTotalClient({
    apiKey: secrets.virustotal as string,
    // each pool member's secret under its governor key: the scheduler's permit names the one to use
    ...(pool.length > 1 ? { poolKeys: Object.fromEntries(pool.map((k) => [memberKey(k.apiKey), k.apiKey])) } : {}),
    baseUrl: sim ? simulatorUrl : config.virustotal.url,
    timeoutMs: config.virustotal.timeoutMs,
    ...(config.virustotal.proxy && !sim ? { proxy: config.virustotal.proxy } : {}),
  });
  const providers = new Map<ProviderName, Provider>();
  providers.set('virustotal', new VirusTotalProvider(vt, { maliciousThreshold: config.virustotal.maliciousThreshold, clock }));
  if (secrets.urlhaus) {
    const client = new UrlhausClient({ apiKey: secrets.urlhaus, baseUrl: sim ? simulatorUrl : config.urlhaus.url, clock });
    providers.set('urlhaus', new UrlhausProvider(client, { clock }));
  }
  if (secrets.dshield) {
    const client = new DshieldClient({ email: secrets.dshield, baseUrl: sim ? simulatorUrl : config.dshield.url, clock });
    providers.set('dshield', new DshieldProvider(client, { clock }));
  }
  if (secrets.spur) {
    const client = new SpurClient({ apiKey: secrets.spur, baseUrl: sim ? simulatorUrl : config.spur.url, clock });
    providers.set('spur', new SpurProvider(client, { clock }));
  }
  return { vt, providers };
}
