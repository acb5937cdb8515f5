import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIndicator } from '../../indicators/index.js';
import { fixture as ownOrShared, needsFixture } from '../../mock/test-support/http.js';
import {
  analysisDescriptorSchema,
  analysisResponseSchema,
  attributeSchemas,
  errorFromResponse,
  NotFoundError,
  reportFromVtObject,
  type VtObject,
  vtObjectSchema,
  WrongCredentialsError,
} from './index.js';

/** Real captures from ../shared when there, else the repository's own (envelopes and errors only). */
function fixture(name: string): { data: unknown; meta?: unknown; error?: unknown } {
  return ownOrShared(name);
}

interface Expected {
  file: string;
  verdict: string;
  malicious: number;
  engines: number;
  total: number;
  threatLabel?: string | null;
  reputation: number;
  lastAnalysisAt?: number | null;
  firstSeenAt?: number | null;
  extra?: Record<string, number>;
}

const OBJECTS: Expected[] = [
  {
    file: 'file-malicious-popular-threat.json',
    verdict: 'malicious',
    malicious: 53,
    engines: 62,
    total: 75,
    threatLabel: 'virus.hill/w97m',
    reputation: 0,
    lastAnalysisAt: 1586546645000,
    firstSeenAt: 1193371918000,
    extra: { typeUnsupported: 13, undetected: 9 },
  },
  {
    file: 'file-clean-dos-com.json',
    verdict: 'undetected',
    malicious: 0,
    engines: 60,
    total: 75,
    threatLabel: null,
    reputation: 0,
    lastAnalysisAt: 1600790003000,
    firstSeenAt: 1600790003000,
    extra: { timeout: 1, typeUnsupported: 14, confirmedTimeout: 0 },
  },
  {
    file: 'file-malicious-pe-yara.json',
    verdict: 'malicious',
    malicious: 47,
    engines: 65,
    total: 74,
    threatLabel: 'trojan.dllhijacker/cometer',
    reputation: -7,
    firstSeenAt: 1534967629000,
    extra: { confirmedTimeout: 1, timeout: 2, typeUnsupported: 6 },
  },
  { file: 'file-pe-dotnet-sandbox-sigma.json', verdict: 'malicious', malicious: 7, engines: 72, total: 76, reputation: 0 },
  { file: 'url-object.json', verdict: 'malicious', malicious: 11, engines: 93, total: 93, reputation: -154, lastAnalysisAt: 1646407171000 },
  { file: 'ip-address-object.json', verdict: 'malicious', malicious: 4, engines: 93, total: 93, reputation: 1, threatLabel: null },
  { file: 'domain-object.json', verdict: 'malicious', malicious: 6, engines: 93, total: 93, reputation: -37 },
  { file: 'domain-haiku-os-org.json', verdict: 'harmless', malicious: 0, engines: 94, total: 94, reputation: 0, lastAnalysisAt: 1742055614000 },
];

const KIND_OF_TYPE = { file: 'file', url: 'url', domain: 'domain', ip_address: 'ip' } as const;

for (const expected of OBJECTS) {
  test(`fixture ${expected.file}: parses and gives ${expected.verdict} (${expected.malicious} malicious)`, { skip: needsFixture(expected.file) }, () => {
    const body = fixture(expected.file);
    const obj: VtObject = vtObjectSchema.parse(body.data);
    const type = obj.type as keyof typeof KIND_OF_TYPE;
    assert.ok(type in KIND_OF_TYPE, `object type ${obj.type}`);
    // the typed attribute schema accepts the real answer
    const attrs = attributeSchemas[type].safeParse(obj.attributes);
    assert.ok(attrs.success, attrs.success ? '' : JSON.stringify(attrs.error.issues.slice(0, 3)));

    const human = type === 'url' ? (obj.attributes?.url as string) : obj.id;
    const indicator = parseIndicator(human, { kind: KIND_OF_TYPE[type] });
    const report = reportFromVtObject(indicator, obj, 1_700_000_000_000);
    assert.equal(report.provider, 'virustotal');
    assert.equal(report.found, true);
    assert.equal(report.kind, KIND_OF_TYPE[type]);
    assert.equal(report.verdict, expected.verdict);
    assert.equal(report.detections, expected.malicious);
    assert.equal(report.stats?.malicious, expected.malicious);
    assert.equal(report.engines, expected.engines);
    assert.equal(report.stats?.total, expected.total);
    assert.equal(report.reputation, expected.reputation);
    assert.equal(report.fetchedAt, 1_700_000_000_000);
    assert.equal(report.data, obj);
    assert.equal(report.id, indicator.id);
    assert.equal(report.indicator, indicator.value);
    if (type === 'url') {
      assert.equal(report.indicator, 'http://soclosebutyetqq.com/69.exe');
      assert.equal(report.id, obj.id, 'for a plain URL our id is the sha256 VirusTotal uses');
    }
    if ('threatLabel' in expected) assert.equal(report.threatLabel, expected.threatLabel);
    if ('lastAnalysisAt' in expected) assert.equal(report.lastAnalysisAt, expected.lastAnalysisAt);
    if ('firstSeenAt' in expected) assert.equal(report.firstSeenAt, expected.firstSeenAt);
    for (const [field, value] of Object.entries(expected.extra ?? {})) {
      assert.equal(report.stats?.[field as keyof NonNullable<typeof report.stats>], value, field);
    }
  });
}

test('fixture file-pe-dotnet-sandbox-sigma.json: 7 detections are only suspicious with a threshold of 10', { skip: needsFixture('file-pe-dotnet-sandbox-sigma.json') }, () => {
  const obj = vtObjectSchema.parse(fixture('file-pe-dotnet-sandbox-sigma.json').data);
  const report = reportFromVtObject(parseIndicator(obj.id), obj, 0, { maliciousThreshold: 10 });
  assert.equal(report.verdict, 'suspicious');
});

test('analysis fixtures parse with meta beside data', () => {
  const file = analysisResponseSchema.parse(fixture('analysis-file-queued.json'));
  assert.equal(file.data.type, 'analysis');
  assert.equal(attributeSchemas.analysis.parse(file.data.attributes).status, 'queued');
  assert.match(file.meta?.file_info?.md5 ?? '', /^[0-9a-f]{32}$/);
  const url = analysisResponseSchema.parse(fixture('analysis-url-queued.json'));
  assert.equal(url.meta?.url_info?.url, 'https://www.irctc.co.in/');
  assert.equal(url.meta?.url_info?.id, parseIndicator('https://www.irctc.co.in/').id);
});

test('analysis descriptor fixtures parse', () => {
  for (const name of ['analysis-descriptor-file-rescan.json', 'analysis-descriptor-file-upload.json', 'analysis-descriptor-url-scan.json']) {
    const d = analysisDescriptorSchema.parse(fixture(name).data);
    assert.equal(d.type, 'analysis');
    assert.ok(d.id.length > 10);
  }
});

test('error fixtures map to their classes', () => {
  const notFound = errorFromResponse(404, fixture('error-not-found.json'));
  assert.ok(notFound instanceof NotFoundError);
  assert.match(notFound.message, /not found/);
  const wrong = errorFromResponse(401, fixture('error-wrong-credentials.json'));
  assert.ok(wrong instanceof WrongCredentialsError);
  assert.equal(wrong.retryable, false);
});
