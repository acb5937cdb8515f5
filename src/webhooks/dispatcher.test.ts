// Webhooks end to end: the real server, a real receiver on 127.0.0.1, signed deliveries, retries, refusals.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { call, startTestServer, type TestServer, until } from '../http/test-support/harness.js';
import { startUpstream, upstreamEnv } from '../http/test-support/upstream.js';
import type { MockServer } from '../mock/index.js';
import type { Change } from '../store/index.js';
import { verifySignature } from './signature.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on 127.0.0.1 that answers each request with the next status from `statuses` (then 200). */
async function receiver(statuses: number[] = []): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const queue = [...statuses];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(queue.shift() ?? 200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const change = (id: string): Change => ({
  provider: 'virustotal',
  kind: 'domain',
  id,
  indicator: id,
  at: Date.now(),
  reasons: ['verdict'],
  from: { verdict: 'harmless', detections: 0, threatLabel: null },
  to: { verdict: 'malicious', detections: 9, threatLabel: null },
});

let mock: MockServer;
let t: TestServer;

before(async () => {
  mock = await startUpstream();
  t = await startTestServer({
    env: upstreamEnv(mock),
    server: {
      webhooks: {
        baseDelayMs: 20,
        maxDelayMs: 40,
        // long enough for three attempts on a busy machine; the dead-letter test waits it out
        maxAgeMs: 3000,
        pollMs: 10,
        // "rebind.test" resolves public at registration time and private afterwards; "pinned.test" is the loopback receiver
        resolve: async (host) => {
          if (host === 'pinned.test') return [{ address: '127.0.0.1', family: 4 }];
          if (host === 'rebind.test') return [{ address: '10.9.9.9', family: 4 }];
          throw new Error('ENOTFOUND');
        },
      },
    },
  });
});
after(async () => {
  await t?.close();
  await mock?.close();
});

describe('deliveries', () => {
  test('a subscriber gets each real event once, signed with its secret', async () => {
    const rx = await receiver();
    try {
      const hook = await call(t.url, '/api/webhooks', json({ url: rx.url, events: ['analysis.completed', 'batch.completed', 'verdict.changed'] }));
      assert.equal(hook.status, 201, hook.text);
      assert.match(hook.body.secret, /^whsec_/);

      // verdict.changed: the simulator changes its mind and a fresh lookup sees it
      mock.setVerdict('domain', 'turns-bad.example.com', { harmless: 70 });
      await call(t.url, '/api/domains/turns-bad.example.com');
      mock.setVerdict('domain', 'turns-bad.example.com', { malicious: 30 });
      await call(t.url, '/api/domains/turns-bad.example.com?maxAge=0');
      // batch.completed
      const batch = await call(t.url, '/api/batch', json({ indicators: ['example.com'] }));
      // analysis.completed
      const scan = await call(t.url, '/api/scan/url', json({ url: 'http://hooked.example.com/' }));
      await until(async () => (await call(t.url, `${scan.body.analysis}?wait=2`)).body.status === 'completed');

      await until(() => rx.got.length >= 3);
      const deliveries = await until(async () => {
        const r = await call(t.url, `/api/webhooks/${hook.body.id}/deliveries`);
        return r.body.deliveries.length === 3 && r.body.deliveries.every((d: { status: string }) => d.status === 'delivered') ? r : undefined;
      });
      assert.equal(rx.got.length, 3, 'each event exactly once');
      const events = rx.got.map((g) => g.headers['x-vtg-event']).sort();
      assert.deepEqual(events, ['analysis.completed', 'batch.completed', 'verdict.changed']);
      for (const g of rx.got) {
        assert.equal(verifySignature(hook.body.secret, g.headers['x-vtg-signature'] as string, g.body), true);
        assert.equal(verifySignature('whsec_wrong-secret-000000', g.headers['x-vtg-signature'] as string, g.body), false);
        const payload = JSON.parse(g.body);
        assert.equal(payload.id, g.headers['x-vtg-delivery']);
        assert.equal(payload.event, g.headers['x-vtg-event']);
        assert.equal(g.headers['content-type'], 'application/json');
      }
      const byEvent = Object.fromEntries(rx.got.map((g) => [g.headers['x-vtg-event'], JSON.parse(g.body).data]));
      assert.equal(byEvent['verdict.changed'].id, 'turns-bad.example.com');
      assert.equal(byEvent['verdict.changed'].to.verdict, 'malicious');
      assert.equal(byEvent['batch.completed'].batchId, batch.body.job.id);
      assert.equal(byEvent['analysis.completed'].analysisId, scan.body.analysisId);
      assert.equal(new Set(deliveries.body.deliveries.map((d: { id: string }) => d.id)).size, 3);
      await call(t.url, `/api/webhooks/${hook.body.id}`, { method: 'DELETE' });
    } finally {
      await rx.close();
    }
  });

  test("a batch's own webhook URL is notified when it completes, signed with the secret returned at creation", async () => {
    const rx = await receiver();
    try {
      const batch = await call(t.url, '/api/batch', json({ indicators: ['example.org', '1.1.1.1'], webhook: rx.url }));
      assert.equal(batch.status, 202, batch.text);
      assert.match(batch.body.webhookSecret, /^whsec_/);
      await until(() => rx.got.length >= 1);
      const g = rx.got[0] as Received;
      assert.equal(g.headers['x-vtg-event'], 'batch.completed');
      assert.equal(verifySignature(batch.body.webhookSecret, g.headers['x-vtg-signature'] as string, g.body), true);
      assert.equal(JSON.parse(g.body).data.batchId, batch.body.job.id);
      assert.equal(JSON.parse(g.body).data.total, 2);
    } finally {
      await rx.close();
    }
  });

  test('a failing receiver gets retries until it accepts; each attempt is in the delivery log', async () => {
    const rx = await receiver([500, 503]);
    try {
      const hook = await call(t.url, '/api/webhooks', json({ url: rx.url, events: ['verdict.changed'] }));
      t.gateway.events.emit('verdict.changed', change('retry.example.com'));
      const log = await until(async () => {
        const r = await call(t.url, `/api/webhooks/${hook.body.id}/deliveries`);
        return r.body.deliveries[0]?.status === 'delivered' ? r.body.deliveries[0] : undefined;
      });
      assert.equal(log.attempts, 3);
      assert.equal(log.lastStatus, 200);
      assert.equal(rx.got.length, 3);
      assert.deepEqual(rx.got.map((g) => g.headers['x-vtg-attempt']), ['1', '2', '3']);
      assert.equal(new Set(rx.got.map((g) => g.headers['x-vtg-delivery'])).size, 1, 'the same delivery id on every attempt');
      await call(t.url, `/api/webhooks/${hook.body.id}`, { method: 'DELETE' });
    } finally {
      await rx.close();
    }
  });

  test('a receiver that never accepts is dead-lettered once its time is up', async () => {
    const rx = await receiver(Array(100).fill(500));
    try {
      const hook = await call(t.url, '/api/webhooks', json({ url: rx.url, events: ['verdict.changed'] }));
      t.gateway.events.emit('verdict.changed', change('dead.example.com'));
      const log = await until(async () => {
        const r = await call(t.url, `/api/webhooks/${hook.body.id}/deliveries`);
        return r.body.deliveries[0]?.status === 'dead' ? r.body.deliveries[0] : undefined;
      });
      assert.ok(log.attempts >= 2);
      assert.equal(log.lastStatus, 500);
      assert.match(log.lastError, /HTTP 500/);
      assert.equal(rx.got.length, log.attempts);
      const metrics = await call(t.url, '/metrics');
      assert.match(metrics.text, /vtg_webhook_deliveries_total\{outcome="dead"\} [1-9]/);
    } finally {
      await rx.close();
    }
  });
});

describe('SSRF guard', () => {
  test('a private target that is not allowlisted is refused at registration', async () => {
    const plain = await startTestServer({ env: upstreamEnv(mock, { VTG_WEBHOOK_ALLOWLIST: '' }) });
    try {
      for (const url of ['http://127.0.0.1:9/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/x', 'http://10.0.0.1/', 'file:///etc/passwd']) {
        const r = await call(plain.url, '/api/webhooks', json({ url, events: ['batch.completed'] }));
        assert.equal(r.status, 400, url);
        assert.equal(r.body.error.code, 'WebhookTargetRefused', url);
      }
      const batch = await call(plain.url, '/api/batch', json({ indicators: ['example.com'], webhook: 'http://192.168.0.10/' }));
      assert.equal(batch.status, 400);
      assert.equal((await call(plain.url, '/api/webhooks')).body.webhooks.length, 0);
    } finally {
      await plain.close();
    }
  });

  test('the check is repeated at delivery time and the connection goes to the checked address', async () => {
    const rx = await receiver();
    try {
      const port = new URL(rx.url).port;
      // stored directly, as if it had passed registration before its DNS changed
      const rebound = await t.gateway.webhooks.create({ url: `http://rebind.test:${port}/hook`, events: ['verdict.changed'], secret: 'whsec_rebind-0000000000' });
      const pinned = await t.gateway.webhooks.create({ url: `http://pinned.test:${port}/hook`, events: ['verdict.changed'], secret: 'whsec_pinned-0000000000' });
      t.gateway.events.emit('verdict.changed', change('ssrf.example.com'));
      const refused = await until(async () => {
        const d = (await t.gateway.webhooks.deliveries(rebound.id, 1))[0];
        return d && d.attempts >= 1 ? d : undefined;
      });
      assert.match(refused.lastError ?? '', /refused: .*10\.9\.9\.9/);
      assert.equal(refused.lastStatus, null);
      await until(async () => (await t.gateway.webhooks.deliveries(pinned.id, 1))[0]?.status === 'delivered');
      assert.equal(rx.got.length, 1, 'only the pinned host reached the receiver');
      assert.equal(rx.got[0]?.headers.host, `pinned.test:${port}`);
      await t.gateway.webhooks.delete(rebound.id);
      await t.gateway.webhooks.delete(pinned.id);
    } finally {
      await rx.close();
    }
  });
});
