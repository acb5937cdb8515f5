// Cache hits on a keep-alive connection take the fast path, which remembers per connection what the
// previous request established (its Host, admission ticket, verified token and lookup path). None of it
// may outlive the checks: on the same open connection a bad or missing token is refused, a token revoked
// through the server is refused at once (elsewhere, within a second), a cross-site Host or fetch is
// refused, and every hit still leaves its access line and its count in the metrics.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, describe, test } from 'node:test';
import { EICAR_SHA256 } from '../mock/index.js';
import { call, createToken, firstAdminToken, rawCall, type UpstreamServer, until, withUpstreamServer } from './test-support/harness.js';

const PATH = `/api/files/${EICAR_SHA256}`;
const HITS = /^vtg_http_requests_total\{method="GET",route="\/api\/files\/:hash",status="200"\} (\d+)$/m;


let admin = '';
const agents: Agent[] = [];
/** A client with one connection, kept open between its requests. */
function connection(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const up: UpstreamServer = withUpstreamServer({
  ready: async (u) => {
    admin = await firstAdminToken(u.server.url);
    // the answer is cached before the tests run: their lookups are memory hits (the fast path's own case)
    assert.equal((await call(u.server.url, PATH, { token: admin })).status, 200);
  },
});
after(() => {
  for (const a of agents) a.destroy();
});

describe('the fast path on a keep-alive connection', () => {
  test('a bad or missing token after good ones on the same connection is refused', async () => {
    const token = (await createToken(up.server.url, admin, 'ka-reader', 'reader')).token;
    const conn = connection();
    for (let i = 0; i < 3; i++) {
      const hit = await rawCall(up.server.url, PATH, { agent: conn, headers: bearer(token) });
      assert.equal(hit.status, 200, hit.text);
      assert.equal(hit.headers['x-vtg-source'], 'cache');
      assert.equal(hit.reused, i > 0, 'one connection');
    }
    const bad = await rawCall(up.server.url, PATH, { agent: conn, headers: bearer(`${token}x`) });
    assert.equal(bad.reused, true);
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'InvalidToken');
    const none = await rawCall(up.server.url, PATH, { agent: conn });
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'Unauthorized');
    const good = await rawCall(up.server.url, PATH, { agent: conn, headers: bearer(token) });
    assert.equal(good.status, 200);
    assert.equal(good.reused, true);
  });

  test('a token revoked through the server is refused at once on its open connection', async () => {
    const created = await createToken(up.server.url, admin, 'ka-revoked', 'reader');
    const conn = connection();
    for (let i = 0; i < 3; i++) assert.equal((await rawCall(up.server.url, PATH, { agent: conn, headers: bearer(created.token) })).status, 200);
    const id = (created.record as { id: string }).id;
    assert.equal((await call(up.server.url, `/api/tokens/${id}`, { method: 'DELETE', token: admin })).status, 200);
    // another client's request in between has the server look its tokens up again (and remember them)
    assert.equal((await call(up.server.url, PATH, { token: admin })).status, 200);
    const refused = await rawCall(up.server.url, PATH, { agent: conn, headers: bearer(created.token) });
    assert.equal(refused.reused, true, 'the connection stayed open');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'InvalidToken');
  });

  test('a token revoked elsewhere (the CLI) is refused within a second on its open connection', async () => {
    const created = await createToken(up.server.url, admin, 'ka-revoked-elsewhere', 'reader');
    const conn = connection();
    for (let i = 0; i < 3; i++) assert.equal((await rawCall(up.server.url, PATH, { agent: conn, headers: bearer(created.token) })).status, 200);
    assert.ok(await up.server.gateway.tokens.revoke((created.record as { id: string }).id));
    const refused = await until(async () => {
      const r = await rawCall(up.server.url, PATH, { agent: conn, headers: bearer(created.token) });
      assert.equal(r.reused, true, 'the connection stayed open');
      return r.status === 401 ? r : undefined;
    }, 5_000);
    assert.equal(refused.body.error.code, 'InvalidToken');
  });

  test('a cross-site Host or a cross-site fetch on a connection that was admitted is refused', async () => {
    const conn = connection();
    for (let i = 0; i < 3; i++) assert.equal((await rawCall(up.server.url, PATH, { agent: conn, headers: bearer(admin) })).status, 200);
    const { host } = new URL(up.server.url);
    const foreign = await rawCall(up.server.url, PATH, { agent: conn, headers: { ...bearer(admin), host: 'attacker.example' } });
    assert.equal(foreign.status, 421);
    assert.equal(foreign.body.error.code, 'UnknownHost');
    // the refusal closes that connection: the next request opens another, admitted as before
    const again = await rawCall(up.server.url, PATH, { agent: conn, headers: { ...bearer(admin), host } });
    assert.equal(again.status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await rawCall(up.server.url, PATH, { agent: conn, headers: bearer(admin) })).status, 200);
    const crossSite = await rawCall(up.server.url, PATH, { agent: conn, headers: { ...bearer(admin), host, 'sec-fetch-site': 'cross-site' } });
    assert.equal(crossSite.reused, true);
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.body.error.code, 'CrossOriginRefused');
  });

  test('every hit on the connection writes its access line and counts in the metrics', async () => {
    const token = (await createToken(up.server.url, admin, 'ka-logged', 'reader')).token;
    const conn = connection();
    const counted = async () => Number(HITS.exec((await call(up.server.url, '/metrics')).text)?.[1] ?? 0);
    const before = await counted();
    const logged = up.server.logs.length;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const hit = await rawCall(up.server.url, PATH, { agent: conn, headers: { ...bearer(token), ...(i === 4 ? { 'x-request-id': 'ka-mine-4' } : {}) } });
      assert.equal(hit.status, 200);
      ids.push(String(hit.headers['x-request-id']));
    }
    assert.equal(ids[4], 'ka-mine-4');
    assert.equal(new Set(ids).size, 5, 'a fresh id per request');
    assert.equal(await counted(), before + 5);
    const lines = await until(() => {
      const mine = up.server.logs.slice(logged).map((l) => JSON.parse(l)).filter((l) => l.msg === 'request' && l.client === 'ka-logged');
      return mine.length === 5 ? mine : undefined;
    }, 5_000);
    for (const [i, line] of lines.entries()) {
      assert.deepEqual(
        { reqId: line.reqId, method: line.method, path: line.path, route: line.route, status: line.status, role: line.role, level: line.level, service: line.service },
        { reqId: ids[i], method: 'GET', path: PATH, route: '/api/files/:hash', status: 200, role: 'reader', level: 30, service: 'vt-gateway' },
      );
      assert.equal(typeof line.ms, 'number');
      assert.equal(typeof line.time, 'number');
    }
  });
});
