// Drills: a 200-item batch whose instance is SIGKILLed halfway finishes on another instance with
// every item once; a webhook receiver gets each batch.completed event once from the whole cluster.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisUnavailableReason } from '../test-support/redis-server.js';
import { useDrill } from './test-support/drill.js';
import { getJson, until } from './test-support/harness.js';

const skip = redisUnavailableReason();
// 10 calls a second, one at a time: a 200-item batch takes about 20 s, long enough to kill it halfway
const drill = useDrill(skip, { profile: 'premium' }, { limits: 'minute=6000,rate=10,burst=1,hour=100000,day=100000,month=1000000', leaseSeconds: 3 });
let receiver: Server;
let receiverUrl = '';
const received: Array<{ delivery: string; event: string; batchId: string | undefined }> = [];

before(async () => {
  if (skip) return;
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += String(c);
    });
    req.on('end', () => {
      const parsed = JSON.parse(body) as { event: string; data: { batchId?: string } };
      received.push({ delivery: String(req.headers['x-vtg-delivery']), event: parsed.event, batchId: parsed.data.batchId });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const addr = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hook`;
});
after(async () => {
  receiver?.close();
});

const post = (base: string, path: string, body: unknown) =>
  getJson(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('SIGKILL the instance running a 200-item batch halfway: another takes it over, every item once', { skip }, async () => {
  const domains = Array.from({ length: 200 }, (_, i) => `b${i}.takeover-drill.example`);
  const created = await post(drill.cluster.instances[0]?.url as string, '/api/batch', { indicators: domains, webhook: receiverUrl });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  const id = created.body.job.id as string;

  // who runs it: the holder of the batch's lease
  const redis = new Redis(drill.cluster.redis.url);
  try {
    const holder = await until(async () => (await redis.get(`vtg:cluster:batch:${id}`))?.split('/')[0]);
    const runner = drill.cluster.instances.findIndex((i) => i.id === holder);
    assert.ok(runner >= 0, `lease holder ${holder}`);
    await until(() => drill.rec.countBy(/\/api\/v3\/domains\//).size >= 100, 60_000);
    // freeze it first, so what it had finished (committed to the shared store) can be read exactly
    drill.cluster.instances[runner]?.child.kill('SIGSTOP');
    const other = drill.cluster.instances.find((_, i) => i !== runner)?.url as string;
    const finishedText = await (await fetch(`${other}/api/batch/${id}/results?finished=true`)).text();
    const finishedAtKill = new Set(finishedText.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { input: string }).input));
    const callsAtKill = drill.rec.countBy(/\/api\/v3\/domains\//);
    assert.equal(await drill.cluster.kill(runner, 'SIGKILL'), 'SIGKILL');
    assert.ok(finishedAtKill.size >= 50 && finishedAtKill.size < 200, `killed with ${finishedAtKill.size} items finished`);

    const done = await until(
      async () => {
        const v = (await getJson(`${other}/api/batch/${id}`)).body;
        return v.job?.status === 'completed' ? v.job : undefined;
      },
      60_000,
      250,
    );
    assert.equal(done.done, 200);
    assert.equal(done.failed, 0);
    const newHolder = (await redis.get(`vtg:cluster:batch:${id}`))?.split('/')[0];
    assert.notEqual(newHolder, holder, 'the lease moved (or was released by the new runner)');

    const res = await fetch(`${other}/api/batch/${id}/results`);
    const items = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { seq: number; status: string; input: string });
    assert.equal(items.length, 200);
    assert.equal(new Set(items.map((i) => i.seq)).size, 200);
    assert.ok(items.every((i) => i.status === 'done'));

    const calls = drill.rec.countBy(/\/api\/v3\/domains\//);
    assert.equal(calls.size, 200, 'every indicator was fetched');
    // an item finished before the kill is never fetched again; only an item the killed instance had
    // asked for without recording the answer yet (at most its 4 concurrent calls) may be asked twice
    const twice = [...calls].filter(([, n]) => n > 1).map(([p]) => p.slice(p.lastIndexOf('/') + 1));
    for (const d of twice) {
      assert.ok(!finishedAtKill.has(d), `${d} was finished before the kill and fetched again`);
      assert.ok(callsAtKill.has(`/api/v3/domains/${d}`), `${d} fetched twice though the killed instance never asked for it`);
    }
    assert.ok(twice.length <= 4, `more repeated calls than calls in flight: ${twice}`);
    assert.equal(drill.mock.stats().rejected429, 0);

    // the background role (harvest, rotation, reconciliation) is held by exactly one live instance
    const live = drill.cluster.instances.filter((_, i) => i !== runner);
    await until(async () => {
      const hs = await Promise.all(live.map(async (i) => (await getJson(`${i.url}/api/health`)).body));
      return hs.filter((h) => h.cluster.roles.includes('background')).length === 1;
    }, 30_000);

    // the batch's own webhook hears of its completion once
    await until(() => received.some((r) => r.batchId === id), 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(received.filter((r) => r.batchId === id).length, 1);
  } finally {
    redis.disconnect();
  }
});

test('a webhook receiver gets each event once from the whole cluster', { skip }, async () => {
  const live = drill.cluster.instances.filter((i) => i.child.exitCode === null && i.child.signalCode === null);
  const hook = await post(live[0]?.url as string, '/api/webhooks', { url: receiverUrl, events: ['batch.completed'] });
  assert.equal(hook.status, 201, JSON.stringify(hook.body));
  const ids: string[] = [];
  for (let k = 0; k < 6; k++) {
    const on = live[k % live.length]?.url as string;
    const r = await post(on, '/api/batch', { indicators: [`w${k}a.hook-drill.example`, `w${k}b.hook-drill.example`] });
    assert.equal(r.status, 202);
    ids.push(r.body.job.id);
  }
  await until(() => ids.every((id) => received.some((r) => r.batchId === id)), 45_000, 200);
  // give any duplicate time to arrive: several dispatcher polls on every instance
  await new Promise((r) => setTimeout(r, 3000));
  for (const id of ids) assert.equal(received.filter((r) => r.batchId === id && r.event === 'batch.completed').length, 1, id);
  assert.equal(new Set(received.map((r) => r.delivery)).size, received.length, 'no delivery arrived twice');
});
