// A key pool on the client: the permit names the member a call goes out on; every member's key is
// a secret the client scrubs from errors and answers.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, test } from 'node:test';
import { fixedServer } from '../test-support/fixed-server.js';
import { VirusTotalClient } from './index.js';

const FIRST = 'pool-first-key-0a1b2c3d4e5f60718293';
const SECOND = 'pool-second-key-9f8e7d6c5b4a39281706';

const server = await fixedServer((req, _body, res) => {
  const key = String(req.headers['x-apikey']);
  res.setHeader('content-type', 'application/json');
  if (key === SECOND && req.url?.includes('refused')) {
    res.statusCode = 401;
    res.end(JSON.stringify({ error: { code: 'WrongCredentialsError', message: `Wrong API key ${key}` } }));
    return;
  }
  res.end(JSON.stringify({ data: { type: 'domain', id: 'example.com', attributes: { note: `answered for ${key}` } } }));
});
after(() => server.close());

const client = new VirusTotalClient({ apiKey: FIRST, baseUrl: server.url, poolKeys: { 'virustotal:a': FIRST, 'virustotal:b': SECOND } });
after(() => client.close());

test('each call goes out on the key its permit names; no permit or an unknown name: the client key', async () => {
  await client.getDomain('example.com', { permit: async () => 'virustotal:b' });
  await client.getDomain('example.com', { permit: async () => 'virustotal:a' });
  await client.getDomain('example.com');
  await client.getDomain('example.com', { permit: async () => undefined });
  assert.deepEqual(server.seen.slice(-4).map((r) => r.headers['x-apikey']), [SECOND, FIRST, FIRST, FIRST]);
});

test("a member's key echoed by the upstream is scrubbed from answers and errors", async () => {
  const obj = await client.getDomain('example.com', { permit: async () => 'virustotal:b' });
  assert.ok(!JSON.stringify(obj).includes(SECOND));
  const err = await client.getDomain('refused.example', { permit: async () => 'virustotal:b' }).catch((e: unknown) => e);
  assert.equal((err as { code?: string }).code, 'WrongCredentialsError');
  const shown = `${String(err)} ${(err as Error).stack} ${JSON.stringify(err)} ${inspect(err)}`;
  assert.ok(!shown.includes(SECOND) && !shown.includes(FIRST), shown);
});
