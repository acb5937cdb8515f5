/**
 * The VirusTotal v3 simulator: demo mode and test double (DESIGN.md, "The simulator").
 * Extra upstream simulators (URLhaus, DShield, SPUR) mount on the same server as `MockRoute`s.
 */
export type {
  MockContext,
  MockFaults,
  MockKind,
  MockOptions,
  MockQuotaLimits,
  MockRequestRecord,
  MockRoute,
  MockServer,
  MockStats,
  MockVerdictStats,
} from './types.js';
export { startMock } from './server.js';
export { keyLabel } from './key-label.js';
export { parseFaults, parseLimits } from './parse-options.js';
export { PROFILE_LIMITS } from './quota.js';
export {
  CLEAN_SHA256,
  EICAR_MD5,
  EICAR_SHA1,
  EICAR_SHA256,
  EICAR_STRING,
  MALICIOUS_SHA256,
  NOT_FOUND_SHA256,
  SUSPICIOUS_SHA256,
  mockVerdict,
  type MockVerdict,
} from './verdicts.js';
