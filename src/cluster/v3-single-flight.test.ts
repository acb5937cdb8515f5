// Drill: the VirusTotal-compatible surface on two instances at once. The same new hash asked as
// /api/v3/files/{id} on both, and the same relationship page (files/{id}/contacted_domains,
// domains/{d}/resolutions, ip_addresses/{ip}/communicating_files) asked on both, reach the
// simulator once each: raw passthrough calls take the cluster's single-flight as lookups do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MALICIOUS_SHA256, SUSPICIOUS_SHA256 } from '../mock/index.js';
import { redisUnavailableReason } from '../test-support/redis-server.js';
import { useDrill } from './test-support/drill.js';
import { getJson } from './test-support/harness.js';

const skip = redisUnavailableReason();
const drill = useDrill(skip, { profile: 'premium' }, { instances: 2, limits: 'minute=1000,hour=100000,day=100000,month=1000000' });

/** Each path asked `times` times on every instance, all at once; every answer must be a 200. */
async function askEverywhere(path: string, times = 3): Promise<void> {
  const asks = drill.cluster.instances.flatMap((i) => Array.from({ length: times }, () => getJson(`${i.url}${path}`)));
  const answers = await Promise.all(asks);
  for (const a of answers) assert.equal(a.status, 200, `${path}: ${JSON.stringify(a.body).slice(0, 300)}`);
}

const upstreamCallsTo = (path: string) => drill.rec.calls.filter((c) => c.path.split('?')[0] === `/api/v3${path}`).length;

// hashes the simulator knows (a random one is unknown to it about half the time: a 404); new to
// this drill's fresh data dir all the same
test('a new hash asked via /api/v3/files on two instances at once: one upstream call', { skip }, async () => {
  const hash = SUSPICIOUS_SHA256;
  await askEverywhere(`/api/v3/files/${hash}`);
  assert.equal(upstreamCallsTo(`/files/${hash}`), 1);
  await askEverywhere('/api/v3/domains/v3-flight.example');
  assert.equal(upstreamCallsTo('/domains/v3-flight.example'), 1);
});

test('the same relationship page on two instances at once: one upstream call', { skip }, async () => {
  const hash = MALICIOUS_SHA256;
  for (const path of [`/files/${hash}/contacted_domains`, '/domains/rel-flight.example/resolutions', '/ip_addresses/9.9.8.8/communicating_files']) {
    await askEverywhere(`/api/v3${path}?limit=5`);
    assert.equal(upstreamCallsTo(path), 1, path);
  }
});
