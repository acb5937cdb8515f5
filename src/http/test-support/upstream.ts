// A VirusTotal simulator the test controls (verdicts, stats), and the env that points a gateway at it.
import { type MockServer, startMock } from '../../mock/index.js';

/** A recognisable fake upstream key: it must never show up in a response or a log line. */
export const FAKE_VT_KEY = 'FAKE-VT-KEY-7f3a9c1e5b2d4680a1b2c3d4e5f60718';

export async function startUpstream(): Promise<MockServer> {
  return startMock({ profile: 'premium', analysisSteps: { queuedMs: 50, inProgressMs: 50 }, notFoundShare: 0.2 });
}

export function upstreamEnv(mock: MockServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    VT_API_KEY: FAKE_VT_KEY,
    VTG_VIRUSTOTAL_URL: mock.url,
    VTG_VT_LIMITS: 'minute=6000,hour=100000,day=100000,month=1000000',
    VTG_ANALYSIS_POLL: '0.05',
    VTG_WEBHOOK_ALLOWLIST: '127.0.0.1',
    ...extra,
  };
}

/** Successful answers (200/404) the simulator gave for one endpoint template, e.g. `GET /files/{id}`. */
export function upstreamCalls(mock: MockServer, endpoint: string): number {
  return mock.stats().requests.filter((r) => r.endpoint === endpoint && (r.status === 200 || r.status === 404)).length;
}
