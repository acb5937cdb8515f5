import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeClock } from '../../clock/index.js';
import { type MockServer, startMock } from '../index.js';
import { createSpurRoute, KNOWN_SPUR_OBJECTS, simulatedSpur } from './index.js';

const TOKEN = 'spur-sim-token-555';
const clock = new FakeClock(Date.UTC(2026, 2, 25, 10, 0, 0));
let mock: MockServer;

before(async () => {
  mock = await startMock({ clock, routes: [createSpurRoute({ limits: { perSecond: 1000 } })] });
});
after(async () => {
  await mock.close();
});

const get = (ip: string, token = TOKEN) => fetch(`${mock.url}/v2/context/${ip}`, { headers: token ? { token } : {} });

test('the real samples are answered verbatim with a balance header', async () => {
  for (const [ip, object] of Object.entries(KNOWN_SPUR_OBJECTS)) {
    const res = await get(encodeURIComponent(ip));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), object);
    assert.match(res.headers.get('x-balance-remaining') ?? '', /^\d+$/);
  }
});

test('no token is 401; a private address is 400', async () => {
  const none = await get('8.8.8.8', '');
  assert.equal(none.status, 401);
  await none.arrayBuffer();
  const priv = await get('172.16.5.4');
  assert.equal(priv.status, 400);
  assert.match(((await priv.json()) as { error: string }).error, /public/);
});

test('other addresses: mostly minimal objects, some tunnels and proxies, same every time', () => {
  const kinds = { minimal: 0, tunnel: 0, proxy: 0 };
  for (let i = 0; i < 300; i++) {
    const ip = `91.${i % 250}.${(i * 3) % 250}.${(i * 11) % 250 + 1}`;
    const o = simulatedSpur(ip) as Record<string, unknown>;
    assert.deepEqual(o, simulatedSpur(ip));
    assert.equal(o.ip, ip);
    if (o.tunnels) kinds.tunnel++;
    else if ((o.client as { proxies?: unknown } | undefined)?.proxies) kinds.proxy++;
    else kinds.minimal++;
  }
  assert.ok(kinds.minimal > kinds.tunnel && kinds.tunnel > 0 && kinds.proxy > 0, JSON.stringify(kinds));
});
