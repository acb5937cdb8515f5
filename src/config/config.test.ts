import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, isTooOpen, loadConfig, parseLimits, redactedConfig, secretsOf } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'vtg-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('no key means mock mode with the embedded defaults', () => {
  const c = loadConfig({ env: { HOME: dir }, file: undefined });
  assert.equal(c.mock, true);
  assert.equal(c.server.host, '127.0.0.1');
  assert.equal(c.server.port, 8290);
  // mock mode paces itself like the simulator's premium profile; a real key gets the public key's limits
  assert.equal(c.mockProfile, 'premium');
  assert.equal(c.virustotal.limits.minute, 1000);
  const live = loadConfig({ env: { HOME: dir, VT_API_KEY: 'k0000000000' } });
  assert.deepEqual(live.virustotal.limits, { minute: 4, day: 500, month: 15_500, burst: 1 });
  assert.equal(c.virustotal.url, 'https://www.virustotal.com');
  assert.equal(c.cache.maxBytes, 100 * 1024 * 1024);
});

test('the key is read from VT_API_KEY, VIRUSTOTAL_API_KEY or COWRIEPROC_VT_API', () => {
  for (const name of ['VT_API_KEY', 'VIRUSTOTAL_API_KEY', 'COWRIEPROC_VT_API']) {
    const c = loadConfig({ env: { HOME: dir, VTG_CONFIG: undefined, [name]: ' k123456789 ' } });
    assert.equal(c.virustotal.apiKey, 'k123456789');
    assert.equal(c.mock, false);
  }
});

test('config file values apply and env overrides them; flags override env', () => {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ virustotal: { apiKey: 'filekey0000', limits: { minute: 30 } }, server: { port: 9000 } }));
  const c = loadConfig({ env: { HOME: dir, VTG_PORT: '9100' }, file, overrides: { port: 9200 } });
  assert.equal(c.virustotal.apiKey, 'filekey0000');
  assert.deepEqual(c.virustotal.limits, { minute: 30 });
  assert.equal(c.server.port, 9200);
  assert.equal(loadConfig({ env: { HOME: dir, VTG_PORT: '9100' }, file }).server.port, 9100);
});

test('an invalid config file is refused with the field named', () => {
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ server: { port: 'eighty' } }));
  assert.throws(() => loadConfig({ env: {}, file }), (e: unknown) => e instanceof ConfigError && /server\.port|port/.test((e as Error).message));
  writeFileSync(file, '{not json');
  assert.throws(() => loadConfig({ env: {}, file }), /not valid JSON/);
});

test('Redis from REDIS_URL or from the seed variables VIRUSTOTAL_USE_REDIS/REDIS_HOST/PORT/DB', () => {
  assert.equal(loadConfig({ env: { REDIS_URL: 'redis://127.0.0.1:6399/2', HOME: dir } }).redis?.url, 'redis://127.0.0.1:6399/2');
  const c = loadConfig({
    env: { VIRUSTOTAL_USE_REDIS: 'true', REDIS_HOST: '127.0.0.1', REDIS_PORT: '6380', REDIS_DB: '3', VIRUSTOTAL_REDIS_TTL: '60', HOME: dir },
  });
  assert.deepEqual(c.redis, { url: 'redis://127.0.0.1:6380/3', cacheTtlMs: 60_000 });
  assert.equal(loadConfig({ env: { HOME: dir } }).redis, undefined);
});

test('limits parse from text and bad text gets a clear error', () => {
  assert.deepEqual(parseLimits('minute=4, day=500,rate=2,burst=3'), { minute: 4, day: 500, ratePerSec: 2, burst: 3 });
  assert.throws(() => parseLimits('minute=four'), /bad limit "minute=four"/);
  assert.throws(() => parseLimits('week=3'), /bad limit/);
});

test('redacted config never contains the key', () => {
  const key = 'a'.repeat(8) + 'SECRETSECRET' + 'b'.repeat(44);
  const c = loadConfig({ env: { VT_API_KEY: key, REDIS_URL: 'redis://:pw@127.0.0.1:6379/0', HOME: dir } });
  const shown = JSON.stringify(redactedConfig(c));
  assert.ok(!shown.includes(key));
  assert.ok(!shown.includes('SECRETSECRET'));
  assert.ok(!shown.includes(':pw@'));
});

test('isTooOpen flags a config file readable by others', () => {
  const file = join(dir, 'perm.json');
  writeFileSync(file, '{}');
  chmodSync(file, 0o644);
  assert.equal(isTooOpen(file), true);
  chmodSync(file, 0o600);
  assert.equal(isTooOpen(file), false);
});

test('the store: SQLite by default; VTG_DATABASE_URL or --database picks PostgreSQL, its password is a secret', () => {
  assert.equal(loadConfig({ env: { HOME: dir } }).database, undefined);
  const c = loadConfig({ env: { HOME: dir, VTG_DATABASE_URL: 'postgres://vtg:s3cr%40t@db:5432/vtg', VTG_DATABASE_QUEUE: '50' } });
  assert.deepEqual(c.database, { url: 'postgres://vtg:s3cr%40t@db:5432/vtg', queueLimit: 50 });
  assert.ok(secretsOf(c).includes('s3cr@t'), 'scrubbed from logs');
  assert.equal(JSON.stringify(redactedConfig(c)).includes('s3cr'), false);
  const flag = loadConfig({ env: { HOME: dir, VTG_DATABASE_URL: 'postgres://a@x/y' }, overrides: { databaseUrl: 'postgresql://b@z/w' } });
  assert.equal(flag.database?.url, 'postgresql://b@z/w', 'the flag wins');
  assert.equal(loadConfig({ env: { HOME: dir, VTG_DATABASE_URL: 'postgres://a@x/y' } }).database?.queueLimit, 10_000);
  assert.throws(() => loadConfig({ env: { HOME: dir, VTG_DATABASE_URL: 'mysql://a@x/y' } }), ConfigError);
});
