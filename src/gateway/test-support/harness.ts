/** Test helpers: a Gateway pointed at a simulator started in the test, on a temp data dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../clock/index.js';
import { loadConfig } from '../../config/index.js';
import { type MockOptions, type MockServer, startMock } from '../../mock/index.js';
import { Gateway } from '../gateway.js';

export const TEST_VT_KEY = 'TESTKEY-0123456789abcdef-do-not-leak-0123456789abcdef-0123456789';

export interface Harness {
  gateway: Gateway;
  mock: MockServer;
  dataDir: string;
  close(): Promise<void>;
}

export async function openHarness(
  options: { mock?: MockOptions; env?: Record<string, string>; clock?: Clock; dataDir?: string; background?: boolean } = {},
): Promise<Harness> {
  const mock = await startMock({ profile: 'premium', ...options.mock });
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'vtg-gw-'));
  const env = {
    HOME: dataDir,
    VT_API_KEY: TEST_VT_KEY,
    VTG_VIRUSTOTAL_URL: mock.url,
    VTG_DATA_DIR: dataDir,
    VTG_VT_LIMITS: 'minute=1000,day=100000,month=1000000,burst=50',
    ...options.env,
  };
  const gateway = await Gateway.open({
    config: loadConfig({ env }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.background !== undefined ? { background: options.background } : {}),
  });
  return {
    gateway,
    mock,
    dataDir,
    async close() {
      await gateway.close();
      await mock.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Upstream calls that cost quota (the simulator, like VirusTotal, does not bill /users/* quota reads). */
export function billableCalls(mock: MockServer): number {
  const s = mock.stats();
  let free = 0;
  for (const [endpoint, n] of Object.entries(s.byEndpoint)) if (endpoint.includes('/users/')) free += n;
  return s.total - free;
}
