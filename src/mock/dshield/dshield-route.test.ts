import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { FakeClock } from '../../clock/index.js';
import { sharedPath, skipWithoutShared } from '../../test-support/shared-corpus.js';
import { type MockServer, startMock } from '../index.js';
import { createDshieldRoute, KNOWN_DSHIELD_ATTACKERS, simulatedDshield } from './index.js';

const UA = 'vt-gateway/test (contact: tests@example.org)';
const clock = new FakeClock(Date.UTC(2026, 2, 25, 10, 0, 0));
let mock: MockServer;

before(async () => {
  mock = await startMock({ clock, routes: [createDshieldRoute({ limits: { perSecond: 1000 } })] });
});
after(async () => {
  await mock.close();
});

test('every known attacker is a real source address of the shared Cowrie logs, with reports', { skip: skipWithoutShared('data/cowrie/') }, () => {
  const dir = sharedPath('data/cowrie/') as string;
  const logs = readdirSync(dir).map((f) => readFileSync(`${dir}/${f}`, 'utf8')).join('\n');
  for (const ip of Object.keys(KNOWN_DSHIELD_ATTACKERS)) {
    assert.ok(logs.includes(`"src_ip": "${ip}"`) || logs.includes(`"src_ip":"${ip}"`), ip);
    const body = simulatedDshield(ip) as { ip: { count: number; attacks: number } };
    assert.ok(body.ip.count > 0 && body.ip.attacks > 0, ip);
  }
});

test('the real quiet sample is answered as captured; ?json gives JSON, otherwise XML', async () => {
  const json = await fetch(`${mock.url}/api/ip/101.81.5.6?json`, { headers: { 'user-agent': UA } });
  assert.equal(json.status, 200);
  const body = (await json.json()) as { ip: Record<string, unknown> };
  assert.equal(body.ip.count, null);
  assert.equal(body.ip.network, '101.80.0.0/13');
  const xml = await fetch(`${mock.url}/api/ip/101.81.5.6`, { headers: { 'user-agent': UA } });
  assert.match(xml.headers.get('content-type') ?? '', /xml/);
  assert.match(await xml.text(), /<number>101\.81\.5\.6<\/number>/);
});

test('an empty User-Agent is refused with 403', async () => {
  const res = await fetch(`${mock.url}/api/ip/101.81.5.6?json`, { headers: { 'user-agent': '' } });
  assert.equal(res.status, 403);
  await res.arrayBuffer();
});

test('unknown addresses: a share quiet, the rest with counts, some counts as strings, same every time', () => {
  let quiet = 0;
  let strings = 0;
  for (let i = 0; i < 300; i++) {
    const ip = `45.${i % 250}.${(i * 7) % 250}.${(i * 13) % 250 + 1}`;
    const body = simulatedDshield(ip) as { ip: { count: unknown } };
    assert.deepEqual(body, simulatedDshield(ip));
    if (body.ip.count === null) quiet++;
    if (typeof body.ip.count === 'string') strings++;
  }
  assert.ok(quiet > 50 && quiet < 200, `quiet ${quiet}`);
  assert.ok(strings > 0, 'some counts are strings');
});

test('an invalid address gets ISC\'s error body', async () => {
  const res = await fetch(`${mock.url}/api/ip/999.1.1.1?json`, { headers: { 'user-agent': UA } });
  assert.deepEqual(await res.json(), { ip: { error: 'bad IP address' } });
});
