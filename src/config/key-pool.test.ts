import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig, parseKeyList, redactedConfig, secretsOf } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'vtg-keypool-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = (extra: Record<string, string>) => ({ HOME: dir, XDG_CONFIG_HOME: join(dir, 'none'), ...extra });

test('VT_API_KEYS takes a pool: plain keys or label=key pairs; the first is apiKey; not mock mode', () => {
  const c = loadConfig({ env: env({ VT_API_KEYS: ' team-a=key-aaaaaaaa , team-b=key-bbbbbbbb ', VTG_VT_LIMITS: 'minute=30' }) });
  assert.equal(c.mock, false);
  assert.equal(c.virustotal.apiKey, 'key-aaaaaaaa');
  assert.deepEqual(
    c.virustotal.keys.map((k) => [k.label, k.apiKey, k.limits.minute, k.limitsExplicit]),
    [['team-a', 'key-aaaaaaaa', 30, true], ['team-b', 'key-bbbbbbbb', 30, true]],
  );
  assert.equal(c.virustotal.keyPolicy, 'primary-first');
  assert.deepEqual(parseKeyList('k1,k2'), [{ apiKey: 'k1' }, { apiKey: 'k2' }]);
  // VT_API_KEY alone is a pool of one, with the public key's limits
  const one = loadConfig({ env: env({ VT_API_KEY: 'only-key-0000' }) });
  assert.deepEqual(one.virustotal.keys, [{ apiKey: 'only-key-0000', limits: { minute: 4, day: 500, month: 15_500, burst: 1 }, limitsExplicit: false }]);
});

test('the config file takes keys with limits of their own; VTG_KEY_POLICY picks the routing', () => {
  const file = join(dir, 'pool.json');
  writeFileSync(
    file,
    JSON.stringify({ virustotal: { keyPolicy: 'spread', keys: [{ label: 'premium', apiKey: 'prem-key-0000', limits: { minute: 1000, day: 100000 } }, 'public-key-0000'] } }),
  );
  const c = loadConfig({ env: env({}), file });
  assert.equal(c.virustotal.keyPolicy, 'spread');
  assert.deepEqual(c.virustotal.keys.map((k) => [k.label, k.limits.minute, k.limitsExplicit]), [['premium', 1000, true], [undefined, 4, false]]);
  assert.equal(loadConfig({ env: env({ VTG_KEY_POLICY: 'primary-first' }), file }).virustotal.keyPolicy, 'primary-first');
  assert.throws(() => loadConfig({ env: env({ VT_API_KEYS: 'a,b', VTG_KEY_POLICY: 'random' }) }), ConfigError);
});

test('bad pools are refused; every key is a secret and masked when shown', () => {
  assert.throws(() => loadConfig({ env: env({ VT_API_KEYS: 'k1,k1' }) }), /listed twice/);
  assert.throws(() => loadConfig({ env: env({ VT_API_KEYS: 'a=k1,a=k2' }) }), /used twice/);
  assert.throws(() => loadConfig({ env: env({ VT_API_KEYS: 'bad label=k1' }) }), ConfigError);
  assert.throws(() => loadConfig({ env: env({ VT_API_KEYS: 'a=' }) }), /no key/);
  const c = loadConfig({ env: env({ VT_API_KEYS: 'a=secret-one-123456,b=secret-two-654321' }) });
  assert.ok(secretsOf(c).includes('secret-one-123456') && secretsOf(c).includes('secret-two-654321'));
  const shown = JSON.stringify(redactedConfig(c));
  assert.ok(!shown.includes('secret-one-123456') && !shown.includes('secret-two-654321'));
});
