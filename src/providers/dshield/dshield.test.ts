import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedPath } from '../../test-support/shared-corpus.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { FakeClock } from '../../clock/index.js';
import { parseIndicator } from '../../indicators/index.js';
import { createDshieldRoute, simulatedDshield } from '../../mock/dshield/index.js';
import { type MockServer, startMock } from '../../mock/index.js';
import { ProviderError } from '../http-errors.js';
import { DSHIELD_DEFAULT_BACKOFF_MS, DshieldClient, DshieldProvider, parseDshieldIp } from './index.js';
import { fixedServer as fixedUpstream } from '../test-support/fixed-server.js';

// The real ISC capture when ../shared is there, else the simulator's verbatim copy of it.
const REAL = sharedPath('data/api/dshield/ip_101.81.5.6__stix-shifter.json');
const SAMPLE = REAL ? readFileSync(REAL, 'utf8') : JSON.stringify(simulatedDshield('101.81.5.6'));
const EMAIL = 'honeypot-ops@example.org';
const clock = new FakeClock(Date.UTC(2026, 2, 25, 10, 0, 0));
let mock: MockServer;

/** This provider only reads the URL and headers: the reply does not need the body. */
const fixedServer = (reply: (req: IncomingMessage, res: ServerResponse) => void) => fixedUpstream((req, _body, res) => reply(req, res));

before(async () => {
  mock = await startMock({ clock, routes: [createDshieldRoute({ limits: { perSecond: 1000 } })] });
});
after(async () => {
  await mock.close();
});

test('the real quiet-IP answer (all counters null) is found and harmless', async () => {
  const up = await fixedServer((_req, res) => res.end(SAMPLE));
  try {
    const report = await new DshieldProvider({ email: EMAIL, baseUrl: up.url }, { clock }).lookup(parseIndicator('101.81.5.6'));
    assert.equal(report.found, true);
    assert.equal(report.verdict, 'harmless');
    assert.equal(report.detections, 0);
    assert.equal(report.threatLabel, null);
    const info = parseDshieldIp(report.data);
    assert.equal(info.count, null);
    assert.equal(info.network, '101.80.0.0/13');
    assert.equal(info.asn, 4812);
  } finally {
    await up.close();
  }
});

test('the e-mail goes only in the User-Agent, never in the URL', async () => {
  const up = await fixedServer((_req, res) => res.end(SAMPLE));
  try {
    await new DshieldClient({ email: EMAIL, baseUrl: up.url }).lookupIp('101.81.5.6');
    const seen = up.seen[0];
    assert.equal(seen?.url, '/api/ip/101.81.5.6?json');
    assert.match(String(seen?.headers['user-agent']), /^vt-gateway\/\d+\.\d+\.\d+ \(contact: honeypot-ops@example\.org\)$/);
    assert.ok(!String(seen?.url).includes('example.org'));
  } finally {
    await up.close();
  }
});

test('counts as strings, threatfeeds absent, {} or null are all read', async () => {
  const bodies = [
    { ip: { number: '1.2.3.4', count: '12', attacks: '3', threatfeeds: null } },
    { ip: { number: '1.2.3.4', count: 0, attacks: 0, threatfeeds: {} } },
    { ip: { number: '1.2.3.4', count: null, attacks: null } },
    { ip: { number: '1.2.3.4', count: 0, attacks: 0, threatfeeds: { ciarmy: { firstseen: '2026-01-01', lastseen: '2026-02-01' } } } },
  ];
  const verdicts: string[] = [];
  for (const body of bodies) {
    const up = await fixedServer((_req, res) => res.end(JSON.stringify(body)));
    try {
      const r = await new DshieldProvider({ email: EMAIL, baseUrl: up.url }, { clock }).lookup(parseIndicator('1.2.3.4'));
      verdicts.push(`${r.verdict}:${r.detections}:${r.threatLabel}`);
    } finally {
      await up.close();
    }
  }
  assert.deepEqual(verdicts, ['suspicious:3:null', 'harmless:0:null', 'harmless:0:null', 'suspicious:0:ciarmy']);
});

test('a Cowrie attacker is known to the simulator with its counts', async () => {
  const provider = new DshieldProvider({ email: EMAIL, baseUrl: mock.url }, { clock });
  const report = await provider.lookup(parseIndicator('61.8.73.166'));
  assert.equal(report.verdict, 'suspicious');
  assert.equal(report.detections, 611);
  assert.equal(report.threatLabel, 'blocklistde22');
  assert.deepEqual(report.data, simulatedDshield('61.8.73.166'));
  assert.equal(mock.stats().byEndpoint['GET /api/ip/{ip}'] !== undefined, true);
});

test('without an e-mail the client still sends its own User-Agent and is served', async () => {
  const report = await new DshieldProvider({ baseUrl: mock.url }, { clock }).lookup(parseIndicator('204.76.203.13'));
  assert.equal(report.verdict, 'suspicious');
});

test('the simulator refuses default User-Agents with 403, like ISC', async () => {
  for (const ua of ['python-requests/2.31.0', 'node']) {
    const res = await fetch(`${mock.url}/api/ip/61.8.73.166?json`, { headers: { 'user-agent': ua } });
    assert.equal(res.status, 403, ua);
    await res.arrayBuffer();
  }
});

test('429 without Retry-After asks to back off five minutes; the e-mail never shows in errors', async () => {
  const up = await fixedServer((_req, res) => {
    res.statusCode = 429;
    res.end(`Too many requests from ${EMAIL}`);
  });
  try {
    await assert.rejects(new DshieldClient({ email: EMAIL, baseUrl: up.url }).lookupIp('1.2.3.4'), (err) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'QuotaExceededError');
      assert.equal(err.retryAfterMs, DSHIELD_DEFAULT_BACKOFF_MS);
      const text = `${String(err)} ${err.stack} ${JSON.stringify(err)} ${inspect(err)}`;
      assert.ok(!text.includes(EMAIL));
      return true;
    });
  } finally {
    await up.close();
  }
});

test('the simulator rate limit gives 429 with its Retry-After', async () => {
  const limited = await startMock({ clock, routes: [createDshieldRoute({ limits: { perSecond: 1 } })] });
  try {
    const client = new DshieldClient({ email: EMAIL, baseUrl: limited.url });
    await client.lookupIp('61.8.73.166');
    await assert.rejects(client.lookupIp('61.8.73.166'), (err) => err instanceof ProviderError && err.retryAfterMs === 1000);
    assert.equal(limited.stats().rejected429, 1);
  } finally {
    await limited.close();
  }
});

test('ISC error bodies for a bad address become BadRequestError', async () => {
  await assert.rejects(new DshieldClient({ email: EMAIL, baseUrl: mock.url }).lookupIp('not-an-ip'), (err) => {
    assert.ok(err instanceof ProviderError);
    assert.equal(err.code, 'BadRequestError');
    return true;
  });
});

test('a 200 that is not JSON (XML without ?json) is an InvalidResponseError', async () => {
  const up = await fixedServer((_req, res) => res.end('<?xml version="1.0"?><ip><number>1.2.3.4</number></ip>'));
  try {
    await assert.rejects(new DshieldClient({ baseUrl: up.url }).lookupIp('1.2.3.4'), (err) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'InvalidResponseError');
      return true;
    });
  } finally {
    await up.close();
  }
});

test('supports IP addresses only', () => {
  const p = new DshieldProvider({ baseUrl: mock.url });
  assert.deepEqual(
    (['file', 'url', 'domain', 'ip'] as const).map((k) => p.supports(k)),
    [false, false, false, true],
  );
});
