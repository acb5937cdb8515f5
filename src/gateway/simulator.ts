/**
 * The one place production code starts the built-in simulator: when no VirusTotal key is configured
 * (mock mode), and for `vtg mock`. The mock modules are imported lazily so live mode never loads them.
 */
import type { Clock } from '../clock/index.js';
import type { MockFaults, MockQuotaLimits, MockServer } from '../mock/index.js';
import type { LookupResult } from './types.js';

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

const VT_API = 'https://www.virustotal.com/api/v3';
const LOOPBACK_API = /https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+\/api\/v3/g;
const LOOPBACK_SELF = /^https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):/;

/**
 * A simulated report as the gateway hands it out: marked `simulated`, its links on VirusTotal's API
 * rather than the simulator's loopback port (entries cached by older versions are rewritten here;
 * new ones are stored rewritten, so a clean entry costs one test of its `links.self`).
 *
 * The answer is one object literal with `simulated` before `report` (the order of the JSON), so every
 * simulated answer has the same shape: a spread plus a new key gave each hit an object that V8 could
 * not cache (a slow property definition and a missed property load per field read, on every hit).
 */
export function asSimulated(result: LookupResult): LookupResult {
  const data = result.report.data as { links?: { self?: unknown } } | null | undefined;
  const self = data?.links?.self;
  const report = typeof self === 'string' && LOOPBACK_SELF.test(self) ? { ...result.report, data: withoutLoopbackLinks(data) } : result.report;
  return {
    indicator: result.indicator,
    provider: result.provider,
    source: result.source,
    stale: result.stale,
    ageMs: result.ageMs,
    fetchedAt: result.fetchedAt,
    simulated: true,
    report,
  };
}

/** A copy of `value` whose simulator API links point at VirusTotal's API. */
export function withoutLoopbackLinks<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(LOOPBACK_API, VT_API)) as T;
}
