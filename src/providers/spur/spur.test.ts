import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { FakeClock } from '../../clock/index.js';
import { parseIndicator } from '../../indicators/index.js';
import { type MockServer, startMock } from '../../mock/index.js';
import { createSpurRoute, simulatedSpur } from '../../mock/spur/index.js';
import { ProviderError } from '../http-errors.js';
import { parseSpurContext, SpurClient, SpurProvider } from './index.js';
import { fixedServer as fixedUpstream } from '../test-support/fixed-server.js';
import { sharedPath, skipWithoutShared } from '../../test-support/shared-corpus.js';

const API_DIR = () => sharedPath('data/api/spur/') as string;
const TOKEN = 'spur-token-9d8c7b6a5f4e';
const clock = new FakeClock(Date.UTC(2026, 2, 25, 10, 0, 0));
let mock: MockServer;

/** This provider only reads the URL and headers: the reply does not need the body. */
const fixedServer = (reply: (req: IncomingMessage, res: ServerResponse) => void) => fixedUpstream((req, _body, res) => reply(req, res));

before(async () => {
  mock = await startMock({ clock, routes: [createSpurRoute({ keys: [TOKEN] })] });
});
after(async () => {
  await mock.close();
});

test('every real SPUR sample parses by field name and gets the expected verdict', { skip: skipWithoutShared('data/api/spur/') }, async () => {
  const expected: Record<string, { verdict: string; label: string | null; infrastructure: string | null }> = {
    'vpn_response__spur-rs.json': { verdict: 'suspicious', label: 'PROTON_VPN', infrastructure: 'DATACENTER' },
    'mullvad_vpn__spur-rs.json': { verdict: 'suspicious', label: 'MULLVAD_VPN', infrastructure: null },
    'rvpn_ipidea__spur-rs.json': { verdict: 'suspicious', label: 'MYSTERIUM_VPN', infrastructure: null },
    'ipv6__spur-rs.json': { verdict: 'harmless', label: null, infrastructure: null },
    'library_of_congress__spur-rs.json': { verdict: 'harmless', label: null, infrastructure: null },
  };
  const files = readdirSync(API_DIR()).filter((f) => f.endsWith('.json'));
  assert.deepEqual(files.sort(), Object.keys(expected).sort());
  for (const file of files) {
    const text = readFileSync(`${API_DIR()}${file}`, 'utf8');
    const body = JSON.parse(text) as { ip: string };
    const up = await fixedServer((_req, res) => res.end(text));
    try {
      const report = await new SpurProvider({ apiKey: TOKEN, baseUrl: up.url }, { clock }).lookup(parseIndicator(body.ip));
      const want = expected[file];
      assert.equal(report.verdict, want?.verdict, file);
      assert.equal(report.threatLabel, want?.label, file);
      assert.equal(parseSpurContext(report.data).infrastructure, want?.infrastructure, file);
      assert.equal(up.seen[0]?.headers.token, TOKEN);
      assert.equal(up.seen[0]?.url, `/v2/context/${encodeURIComponent(body.ip)}`);
    } finally {
      await up.close();
    }
  }
});

test('fields are picked by name: geohash and infrastructure are never confused', { skip: skipWithoutShared('data/api/spur/') }, () => {
  const ctx = parseSpurContext(JSON.parse(readFileSync(`${API_DIR()}vpn_response__spur-rs.json`, 'utf8')));
  assert.equal(ctx.concentration?.geohash, 'tsn');
  assert.equal(ctx.infrastructure, 'DATACENTER');
  assert.deepEqual(ctx.risks, ['CALLBACK_PROXY', 'TUNNEL', 'GEO_MISMATCH']);
  assert.equal(ctx.tunnels[0]?.anonymous, true);
  assert.equal(ctx.asn, 49981);
});

test('the simulator answers the real objects for their addresses', async () => {
  const provider = new SpurProvider({ apiKey: TOKEN, baseUrl: mock.url }, { clock });
  const report = await provider.lookup(parseIndicator('23.234.69.25'));
  assert.equal(report.threatLabel, 'MULLVAD_VPN');
  assert.deepEqual(report.data, simulatedSpur('23.234.69.25'));
  assert.equal(mock.stats().byEndpoint['GET /v2/context/{ip}'] !== undefined, true);
});

test('a bad token is 401 WrongCredentialsError and the token never shows', async () => {
  const other = 'spur-wrong-token-1234';
  await assert.rejects(new SpurClient({ apiKey: other, baseUrl: mock.url }).context('23.234.69.25'), (err) => {
    assert.ok(err instanceof ProviderError);
    assert.equal(err.status, 401);
    assert.equal(err.code, 'WrongCredentialsError');
    const text = `${String(err)} ${err.stack} ${JSON.stringify(err)} ${inspect(err)}`;
    assert.ok(!text.includes(other) && !text.includes(TOKEN));
    return true;
  });
});

test('private and invalid addresses are 400 BadRequestError', async () => {
  const client = new SpurClient({ apiKey: TOKEN, baseUrl: mock.url });
  for (const ip of ['10.1.2.3', '192.168.0.1', 'nope']) {
    await assert.rejects(client.context(ip), (err) => err instanceof ProviderError && err.status === 400 && err.code === 'BadRequestError');
  }
});

test('when the query balance is spent: 429 QuotaExceededError; the balance header is read', async () => {
  const limited = await startMock({ clock, routes: [createSpurRoute({ limits: { balance: 2 } })] });
  try {
    const client = new SpurClient({ apiKey: TOKEN, baseUrl: limited.url });
    assert.equal((await client.context('140.147.140.147')).balanceRemaining, 1);
    assert.equal((await client.context('140.147.140.147')).balanceRemaining, 0);
    await assert.rejects(client.context('140.147.140.147'), (err) => err instanceof ProviderError && err.code === 'QuotaExceededError' && err.retryable);
  } finally {
    await limited.close();
  }
});

test('403 (no Context API access) is a ForbiddenError', async () => {
  const up = await fixedServer((_req, res) => {
    res.statusCode = 403;
    res.end('{"error":"token lacks context api"}');
  });
  try {
    await assert.rejects(new SpurClient({ apiKey: TOKEN, baseUrl: up.url }).context('1.2.3.4'), (err) => err instanceof ProviderError && err.code === 'ForbiddenError' && !err.retryable);
  } finally {
    await up.close();
  }
});

test('a client without a token is refused at construction', () => {
  assert.throws(() => new SpurClient({ apiKey: '  ' }), /SPUR_API_KEY/);
});

test('supports IP addresses only', () => {
  const p = new SpurProvider({ apiKey: TOKEN, baseUrl: mock.url });
  assert.deepEqual(
    (['file', 'url', 'domain', 'ip'] as const).map((k) => p.supports(k)),
    [false, false, false, true],
  );
});
