// Lookup answers are written from cached pieces; what a client parses must be exactly the LookupResult (and its permalink).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../config/index.js';
import { Gateway, type LookupResult } from '../gateway/index.js';
import { answerPermalink } from '../indicators/index.js';
import { EICAR_MD5 } from '../mock/index.js';
import { indicatorOfKind } from './indicator-input.js';
import { lookupResultJson, lookupResultParts } from './serialize.js';
import { isolatedEnv } from './test-support/harness.js';

let gateway: Gateway;
let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vtg-serialize-'));
  gateway = await Gateway.open({ config: loadConfig({ env: isolatedEnv(dataDir), overrides: { dataDir } }) }); // mock mode
});
after(async () => {
  await gateway?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const parsed = (r: LookupResult) => JSON.parse(lookupResultJson(r).toString('utf8'));
// the answer adds the object's page on VirusTotal
const expected = (r: LookupResult) => ({ ...JSON.parse(JSON.stringify(r)), permalink: answerPermalink(r) });

test('the written answer parses to the LookupResult, for fresh and cached, shared and unshared indicators', async () => {
  const url = 'http://example.com/a"quoted"/\u00e9t\u00e9?x=1&y=\\';
  const results = [
    await gateway.lookup(EICAR_MD5),
    await gateway.lookup(EICAR_MD5),
    await gateway.lookup(indicatorOfKind(EICAR_MD5, 'file')),
    await gateway.lookup(indicatorOfKind(EICAR_MD5.toUpperCase(), 'file')),
    await gateway.lookup(url),
    await gateway.lookup(indicatorOfKind(url, 'url')),
    await gateway.lookup('8.8.8.8', { provider: 'dshield' }),
  ];
  assert.equal(results[0]?.source, 'upstream');
  assert.equal(results[1]?.source, 'cache');
  assert.ok(Object.isFrozen(results[2]?.indicator), 'path indicators are shared (frozen)');
  for (const r of results) {
    assert.deepEqual(parsed(r), expected(r));
    assert.deepEqual(parsed(r), parsed(r), 'the same again from the cached pieces');
  }
  // a stale answer and a report without a raw object
  const base = results[1] as LookupResult;
  const stale: LookupResult = { ...base, source: 'stale', stale: true, ageMs: 86_400_000 };
  assert.deepEqual(parsed(stale), expected(stale));
  const bare: LookupResult = { ...base, report: { ...base.report, data: undefined } };
  assert.deepEqual(parsed(bare), expected(bare));
  // a shared indicator's envelope is remembered per provider and source: each variant stays exact
  const shared = results[2] as LookupResult;
  for (const variant of [shared, { ...shared, source: 'stale', stale: true }, { ...shared, provider: 'dshield' }, { ...shared, source: 'cache', stale: true }, { ...shared, fetchedAt: shared.fetchedAt + 1000 }, shared] as LookupResult[]) {
    assert.deepEqual(parsed(variant), expected(variant));
  }
  const [head, report, headBytes] = lookupResultParts(base);
  assert.equal(head + report.toString('utf8'), lookupResultJson(base).toString('utf8'));
  // the envelope's byte length comes from the cached pieces: exact for non-ASCII indicators too
  for (const r of [...results, stale, shared, { ...shared, fetchedAt: shared.fetchedAt + 123_456_789 }, { ...shared, simulated: undefined }] as LookupResult[]) {
    const [h, , bytes] = lookupResultParts(r);
    assert.equal(bytes, Buffer.byteLength(h), `bytes of ${h.slice(0, 80)}`);
  }
  assert.equal(headBytes, Buffer.byteLength(head));
});
