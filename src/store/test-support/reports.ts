import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import type { IndicatorKind } from '../../indicators/index.js';
import type { ProviderName, Report } from '../../providers/types.js';

/** A deterministic sha256-like id for test report `n`. */
export function testId(n: number | string): string {
  return createHash('sha256').update(`test-${n}`).digest('hex');
}

/** A Report for tests; `data` can be padded to make rows of a realistic size. */
export function makeReport(overrides: Partial<Report> & { n?: number | string; padBytes?: number } = {}): Report {
  const { n = 1, padBytes = 0, ...rest } = overrides;
  const provider: ProviderName = rest.provider ?? 'virustotal';
  const kind: IndicatorKind = rest.kind ?? 'file';
  const id = rest.id ?? testId(n);
  return {
    provider,
    kind,
    id,
    indicator: rest.indicator ?? id,
    found: true,
    verdict: 'malicious',
    detections: 12,
    engines: 70,
    threatLabel: 'trojan.test',
    reputation: -10,
    lastAnalysisAt: null,
    firstSeenAt: null,
    // Random hex: reports are stored deflated, so padding must not compress away.
    data: { attributes: { note: randomBytes(Math.ceil(padBytes / 2)).toString('hex').slice(0, padBytes) } },
    fetchedAt: Date.UTC(2026, 0, 15, 12, 0, 0),
    ...rest,
  };
}
