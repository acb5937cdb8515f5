// Drill: PostgreSQL is stopped for 20 s (immediately, like a crash) while three instances serve:
// cached lookups keep answering from memory and Redis, new answers are acknowledged and queued in
// each instance's memory, /api/health says the database is down, and once PostgreSQL is back every
// queued write lands without a restart: nothing acknowledged is lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPool } from '../common/index.js';
import { Store } from '../store/index.js';
import { postgresUnavailableReason } from '../test-support/postgres-server.js';
import { redisUnavailableReason } from '../test-support/redis-server.js';
import { useDrill } from './test-support/drill.js';
import { getJson, until } from './test-support/harness.js';

const skip = redisUnavailableReason() ?? postgresUnavailableReason() ?? (process.env.VTG_DRILL_STORE === 'sqlite' ? 'VTG_DRILL_STORE=sqlite: no PostgreSQL to stop' : undefined);
if (skip) console.log(`# ${skip}`);
const drill = useDrill(skip, { profile: 'premium', limits: { minute: 600 } }, { limits: 'minute=600,hour=100000,day=1000000,month=10000000' });

test('PostgreSQL stopped for 20 s: cached lookups keep answering, writes recover afterwards with nothing acknowledged lost', { skip }, async () => {
  const pg = drill.postgres;
  if (!pg || !drill.databaseUrl) return assert.fail('the drill needs its own PostgreSQL server (VTG_DRILL_DATABASE_URL names one it cannot stop)');
  const warm = Array.from({ length: 20 }, (_, i) => `warm${i}.pg-drill.example`);
  await runPool(warm.length, 5, async (i) => {
    assert.equal((await getJson(`${drill.cluster.url()}/api/lookup/${warm[i]}?wait=true`)).status, 200);
  });

  pg.stopSync('immediate');
  const stoppedAt = Date.now();
  const failures: unknown[] = [];
  const acknowledged: string[] = [];
  let cached = 0;
  for (let k = 0; Date.now() - stoppedAt < 20_000; k++) {
    // every instance answers every warm indicator (its memory, else Redis)
    const inst = drill.cluster.instances[k % 3];
    const r = await getJson(`${inst?.url}/api/lookup/${warm[k % warm.length]}?wait=true`);
    if (r.status === 200) cached++;
    else failures.push({ k, status: r.status, body: r.body });
    if (k % 10 === 0) {
      const fresh = `new${k}.pg-drill.example`;
      const f = await getJson(`${drill.cluster.url()}/api/lookup/${fresh}?wait=true`);
      if (f.status === 200) acknowledged.push(fresh);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const healths = await Promise.all(drill.cluster.instances.map(async (i) => (await getJson(`${i.url}/api/health`)).body));
  assert.deepEqual(failures.slice(0, 3), [], `${failures.length} cached lookups failed while PostgreSQL was down`);
  assert.ok(healths.some((h) => h.database?.engine === 'postgres' && h.database.state === 'down' && h.status === 'degraded'), `health names the outage: ${JSON.stringify(healths).slice(0, 1500)}`);
  assert.ok(cached > 100, `load was light: ${cached}`);
  assert.ok(acknowledged.length > 0, 'new answers were acknowledged during the outage');

  pg.startSync();
  await until(async () => {
    const hs = await Promise.all(drill.cluster.instances.map(async (i) => (await getJson(`${i.url}/api/health`)).body));
    return hs.every((h) => h.database.state === 'up' && h.database.queued === 0);
  }, 60_000, 250);

  // nothing acknowledged was lost: each answer given during the outage is in PostgreSQL now
  const store = await Store.open({ databaseUrl: drill.databaseUrl });
  try {
    for (const domain of acknowledged) {
      assert.ok(await store.cache.get('virustotal', 'domain', domain), `${domain} is cached in PostgreSQL`);
      assert.ok(await store.history.latest('virustotal', 'domain', domain), `${domain} has its observation`);
    }
  } finally {
    await store.close();
  }
  // and writes go straight through again
  assert.equal((await getJson(`${drill.cluster.url()}/api/lookup/after.pg-drill.example?wait=true`)).status, 200);
});
