import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { createDshieldRoute } from '../mock/dshield/index.js';
import { type MockServer, startMock } from '../mock/index.js';
import { createSpurRoute } from '../mock/spur/index.js';
import { createUrlhausRoute } from '../mock/urlhaus/index.js';
import { DshieldProvider } from '../providers/dshield/index.js';
import { SpurProvider } from '../providers/spur/index.js';
import type { Provider, Report } from '../providers/types.js';
import { UrlhausProvider } from '../providers/urlhaus/index.js';
import { IndicatorCollector } from './extract.js';
import { CSV_HEADER, csvField, toCsv, toJson, toNdjson, toSummaryText } from './format.js';
import { readCowrieLogs } from './reader.js';
import { buildCowrieReport, type CowrieReport, type ProviderResults } from './report.js';
import { buildSessions, type CowrieSession } from './sessions.js';
import { COWRIE_LOGS, COWRIE_SKIP } from './test-data.js';

const N3_SHA = '3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866';
const clock = new FakeClock(Date.UTC(2026, 2, 25, 10, 0, 0));
let mock: MockServer;
let report: CowrieReport;
let sessions: CowrieSession[];

before(async () => {
  if (COWRIE_SKIP) return;
  const limits = { perSecond: 100_000 };
  mock = await startMock({ clock, routes: [createUrlhausRoute({ limits }), createDshieldRoute({ limits }), createSpurRoute({ limits })] });
  const urlhaus = new UrlhausProvider({ apiKey: 'uh-test-key', baseUrl: mock.url }, { clock });
  const dshield = new DshieldProvider({ email: 'tests@example.org', baseUrl: mock.url }, { clock });
  const spur = new SpurProvider({ apiKey: 'spur-test-token', baseUrl: mock.url }, { clock });

  const collector = new IndicatorCollector();
  sessions = [];
  for await (const s of buildSessions(readCowrieLogs([COWRIE_LOGS.kareiva2018]))) {
    sessions.push(s);
    collector.add(s);
  }
  const indicators = collector.list();
  const results: ProviderResults = new Map();
  for (const x of indicators) {
    const reports: Partial<Record<Report['provider'], Report>> = {};
    const providers: Provider[] = x.roles.includes('attacker') ? [dshield, spur] : [urlhaus];
    for (const p of providers) if (p.supports(x.kind)) reports[p.name] = await p.lookup(x.indicator);
    if (x.id === N3_SHA) {
      // What VirusTotal would add (its client is tested elsewhere).
      reports.virustotal = {
        provider: 'virustotal',
        kind: 'file',
        id: N3_SHA,
        indicator: N3_SHA,
        found: true,
        verdict: 'malicious',
        detections: 38,
        threatLabel: 'trojan.mirai/linux',
        data: {},
        fetchedAt: clock.now(),
      };
    }
    results.set(x.id, reports);
  }
  report = buildCowrieReport({ sessions, indicators, results, extractStats: collector.stats, generatedAt: clock.now() });
});
after(async () => {
  if (!COWRIE_SKIP) await mock.close();
});

test('each unique hash and URL cost exactly one URLhaus lookup', { skip: COWRIE_SKIP }, () => {
  const stats = mock.stats();
  assert.equal(stats.byEndpoint['POST /v1/payload/'], 1);
  assert.equal(stats.byEndpoint['POST /v1/url/'], 1);
  assert.equal(stats.byEndpoint['POST /v1/host/'], 1);
});

test('the report: 408 sessions, the dropper hash malicious with its label, the URL offline in URLhaus', { skip: COWRIE_SKIP }, () => {
  assert.equal(report.totals.sessions, 408);
  const ips = new Set(sessions.map((s) => s.srcIp));
  assert.equal(report.totals.uniqueIps, ips.size);
  assert.equal(report.totals.uniqueHashes, 1);
  assert.equal(report.totals.maliciousHashes, 1);
  const hash = report.hashes[0];
  assert.equal(hash?.sha256, N3_SHA);
  assert.equal(hash?.verdict, 'malicious');
  assert.equal(hash?.threatLabel, 'trojan.mirai/linux');
  assert.equal(hash?.detections, 38);
  assert.equal(hash?.providers.urlhaus?.verdict, 'malicious');
  assert.equal(hash?.sessions, 7);
  assert.equal(report.urls[0]?.url, 'http://54.37.72.170/n3');
  assert.equal(report.urls[0]?.urlhausStatus, 'offline');
});

test('top attacker IPs come with DShield and SPUR context', { skip: COWRIE_SKIP }, () => {
  const top = report.topIps[0];
  assert.equal(top?.ip, '146.0.77.159');
  assert.equal(top?.sessions, 72);
  assert.equal(top?.dshield?.count, 48_211);
  assert.equal(top?.dshield?.attacks, 5_120);
  assert.ok(top?.spur);
  assert.equal(top?.verdict, 'suspicious');
  assert.equal(report.topIps.length, 10);
  assert.equal(report.logins.attempts, 326);
  assert.equal(report.logins.successes, 27);
});

test('summary text: aligned columns, the malicious hash line, login counts', { skip: COWRIE_SKIP }, () => {
  const text = toSummaryText(report);
  const lines = text.split('\n');
  const header = lines.find((l) => l.trimStart().startsWith('SHA-256')) ?? '';
  const row = lines.find((l) => l.includes(N3_SHA)) ?? '';
  assert.equal(row.indexOf('malicious'), header.indexOf('verdict'));
  assert.equal(row.indexOf('7 '), header.indexOf('sessions'));
  assert.match(text, /^Sessions {6}408 \(408 closed\), 1783 events$/m);
  assert.match(text, /^Logins {8}326 attempts, 27 successful$/m);
  const ipHeader = lines.find((l) => l.trimStart().startsWith('IP ')) ?? '';
  const ipRow = lines.find((l) => l.trimStart().startsWith('146.0.77.159')) ?? '';
  assert.equal(ipRow.indexOf('48211/5120'), ipHeader.indexOf('DShield'));
});

test('CSV: one row per indicator; formulas defused', { skip: COWRIE_SKIP }, () => {
  const csv = toCsv(report);
  const rows = csv.trimEnd().split('\r\n');
  assert.equal(rows[0], CSV_HEADER.join(','));
  assert.equal(rows.length, report.indicators.length + 1);
  const urlRow = rows.find((r) => r.startsWith('url,http://54.37.72.170/n3,'));
  assert.match(urlRow ?? '', /,malicious,,malicious,,,Mirai,/);
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField('a,b'), '"a,b"');
});

test('NDJSON: one record per session with its indicators\' verdicts; JSON parses', { skip: COWRIE_SKIP }, () => {
  const lines = toNdjson(report).trimEnd().split('\n');
  assert.equal(lines.length, sessions.length);
  const dropper = lines.map((l) => JSON.parse(l)).find((r) => r.session === '0a676cdf82f8');
  assert.equal(dropper.verdict, 'malicious');
  const hash = dropper.indicators.find((i: { kind: string }) => i.kind === 'file');
  assert.equal(hash.value, N3_SHA);
  assert.equal(hash.providers.virustotal.detections, 38);
  const json = JSON.parse(toJson(report));
  assert.equal(json.totals.sessions, 408);
  assert.equal(json.sessions, undefined);
  assert.equal(JSON.parse(toJson(report, { sessions: true })).sessions.length, sessions.length);
});
