/** VirusTotal's key pool as the gateway builds it: the configured keys (the simulator's in mock mode) and their governor keys. */
import type { GatewayConfig, PoolKeyConfig } from '../config/index.js';
import { keyLabel } from '../governor/index.js';
import { SIMULATOR_KEYS } from './simulator.js';

/** VirusTotal's keys: the configured pool, or the simulator's one key in mock mode. */
export function vtPoolKeys(config: GatewayConfig): PoolKeyConfig[] {
  if (!config.mock) return config.virustotal.keys;
  return [{ apiKey: SIMULATOR_KEYS.virustotal, limits: config.virustotal.limits, limitsExplicit: config.virustotal.limitsExplicit }];
}

/** A pool member's governor key: from a hash of the secret, so every instance (and a restart) names it alike. */
export function memberKey(secret: string): string {
  return `virustotal:${keyLabel(secret)}`;
}
