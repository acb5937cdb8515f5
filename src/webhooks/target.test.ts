import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkWebhookTarget, type ResolveFn } from './target.js';

function resolver(table: Record<string, string[]>): ResolveFn {
  return async (host) => {
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const dns = resolver({
  'hooks.example.com': ['93.184.216.34'],
  'internal.example.com': ['10.0.0.7'],
  'mixed.example.com': ['93.184.216.34', '192.168.1.20'],
  'metadata.example.com': ['169.254.169.254'],
  'aws6.example.com': ['fd00:ec2::254'],
  'cgnat.example.com': ['100.64.1.1'],
  'v6.example.com': ['2606:4700::1111'],
  'soar.corp': ['10.1.2.3'],
});

test('a public target resolves and is pinned to the checked address', async () => {
  const t = await checkWebhookTarget('https://hooks.example.com/vtg', { allowlist: [], resolve: dns });
  assert.equal(t.address, '93.184.216.34');
  assert.equal(t.family, 4);
  assert.equal(t.hostname, 'hooks.example.com');
  const v6 = await checkWebhookTarget('http://v6.example.com/', { allowlist: [], resolve: dns });
  assert.equal(v6.family, 6);
});

test('private, loopback, link-local, metadata, CGNAT, unique-local, multicast and unspecified targets are refused', async () => {
  const refused = [
    'http://internal.example.com/',
    'http://mixed.example.com/',
    'http://metadata.example.com/latest/meta-data',
    'http://aws6.example.com/',
    'http://cgnat.example.com/',
    'http://127.0.0.1:8080/',
    'http://[::1]/',
    'http://169.254.169.254/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://[::ffff:10.0.0.1]/',
  ];
  for (const url of refused) {
    await assert.rejects(checkWebhookTarget(url, { allowlist: [], resolve: dns }), { code: 'WebhookTargetRefused' }, url);
  }
});

test('bad schemes, credentials, junk and unresolvable hosts are refused', async () => {
  for (const url of ['ftp://hooks.example.com/', 'file:///etc/passwd', 'gopher://x/', 'http://user:pw@hooks.example.com/', 'not a url', '', 'http://nowhere.invalid/']) {
    await assert.rejects(checkWebhookTarget(url, { allowlist: [], resolve: dns }), { code: 'WebhookTargetRefused' }, url);
  }
});

test('the allowlist admits a named host or a specific address, nothing else', async () => {
  const byHost = await checkWebhookTarget('https://soar.corp/hook', { allowlist: ['soar.corp'], resolve: dns });
  assert.equal(byHost.address, '10.1.2.3');
  const byAddress = await checkWebhookTarget('http://127.0.0.1:9000/', { allowlist: ['127.0.0.1'], resolve: dns });
  assert.equal(byAddress.address, '127.0.0.1');
  await assert.rejects(checkWebhookTarget('http://127.0.0.2:9000/', { allowlist: ['127.0.0.1'], resolve: dns }), { code: 'WebhookTargetRefused' });
  await assert.rejects(checkWebhookTarget('http://0.0.0.0/', { allowlist: ['0.0.0.0'], resolve: dns }), { code: 'WebhookTargetRefused' });
});
