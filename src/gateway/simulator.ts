/**
 * The one place production code starts the built-in simulator: when no VirusTotal key is configured
 * (mock mode), and for `vtg mock`. The mock modules are imported lazily so live mode never loads them.
 */
import type { Clock } from '../clock/index.js';
import type { MockFaults, MockQuotaLimits, MockServer } from '../mock/index.js';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  profile?: 'public' | 'premium';
  limits?: MockQuotaLimits;
  keys?: string[];
  faults?: MockFaults;
  clock?: Clock;
}

/** Starts VirusTotal, URLhaus, DShield and SPUR simulators on one port. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<MockServer> {
  const [{ startMock }, { createUrlhausRoute }, { createDshieldRoute }, { createSpurRoute }] = await Promise.all([
    import('../mock/index.js'),
    import('../mock/urlhaus/index.js'),
    import('../mock/dshield/index.js'),
    import('../mock/spur/index.js'),
  ]);
  return startMock({
    ...options,
    routes: [createUrlhausRoute(), createDshieldRoute(), createSpurRoute()],
  });
}

/** Keys the gateway uses against its own simulator (they are not secrets). */
export const SIMULATOR_KEYS = {
  virustotal: 'simulator-virustotal-key',
  urlhaus: 'simulator-urlhaus-key',
  spur: 'simulator-spur-key',
  dshieldEmail: 'simulator@vt-gateway.invalid',
} as const;
