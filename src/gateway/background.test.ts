// Library users get the engine's rules without `vtg serve`: webhooks delivered, batches resumed,
// batch calls charged to the owner's daily budget; `background: false` turns that work off.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { billableCalls, openHarness } from './test-support/harness.js';

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const domains = (n: number, salt: string) => Array.from({ length: n }, (_, i) => `${salt}-${i}.example.com`);

test('a library gateway delivers webhooks and charges a finished batch to its owner', async () => {
  const received: string[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  after(() => receiver.close());
  const port = (receiver.address() as { port: number }).port;
  const h = await openHarness({ env: { VTG_WEBHOOK_ALLOWLIST: '127.0.0.1' } });
  after(() => h.close());

  const owner = await h.gateway.tokens.create({ name: 'lib', role: 'analyst', dailyBudget: 100 });
  await h.gateway.webhooks.create({ owner: owner.record.id, url: `http://127.0.0.1:${port}/hook`, events: ['batch.completed'], secret: 'whsec_library-0000000000' });
  const job = await h.gateway.createBatch(domains(3, 'lib'), { owner: owner.record.id });
  const done = await h.gateway.runBatch(job.id);
  assert.equal(done.status, 'completed');
  assert.equal(done.upstreamCalls, 3);
  assert.equal(await h.gateway.tokens.spentToday(owner.record.id), 3, 'the batch was charged to its owner');
  assert.equal(await h.gateway.tokens.remaining({ tokenId: owner.record.id, dailyBudget: owner.record.dailyBudget }), 97);
  await until(() => received.some((b) => b.includes(job.id)));
});

test('Gateway.open resumes unfinished batches; background: false leaves them alone', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vtg-bg-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  // slow upstream: the batch is still unfinished when the gateway closes
  const first = await openHarness({ dataDir, env: { VTG_VT_LIMITS: 'rate=2,burst=1,day=100000,month=1000000' } });
  after(() => first.close());
  const job = await first.gateway.createBatch(domains(6, 'resume'));
  await until(async () => ((await first.gateway.batch(job.id))?.job.done ?? 0) >= 1);
  await first.close();

  const quiet = await openHarness({ dataDir, background: false });
  after(() => quiet.close());
  const before = (await quiet.gateway.batch(job.id))?.job;
  assert.ok(before && before.status !== 'completed', 'unfinished after the first run');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(billableCalls(quiet.mock), 0, 'background: false resumes nothing');
  await quiet.close();

  const resumed = await openHarness({ dataDir });
  after(() => resumed.close());
  const finished = await until(async () => {
    const j = (await resumed.gateway.batch(job.id))?.job;
    return j?.status === 'completed' ? j : undefined;
  });
  assert.equal(finished.done, 6);
});
