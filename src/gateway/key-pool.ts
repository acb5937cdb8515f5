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

/** A raw answer (VT-compatible surface) refused with 401 on a pool member, thrown so the scheduler moves the call to another key. */
class RawRefused<T> extends Error {
  override readonly name = 'RawRefused';
  readonly status = 401;
  readonly code = 'WrongCredentialsError';
  constructor(readonly answer: T) {
    super('the upstream refused a key of the pool (401)');
  }
}

export function throwIfRefused<T extends { status: number }>(answer: T): T {
  if (answer.status === 401) throw new RawRefused(answer);
  return answer;
}

/** The last key's refusal is answered as a raw 401 again, as with a single key. */
export function refusedAnswer<T>(err: unknown): T {
  if (err instanceof RawRefused) return err.answer as T;
  throw err;
}
