/** The hostile-content routes through the real server: archive scan, scan-from-URL refusals, YARA rules. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EICAR, makeTar, makeZip } from '../archives/test-support/make.js';
import { call, startTestServer, type TestServer } from './test-support/harness.js';

let srv: TestServer;
let rulesDir: string;

before(async () => {
  rulesDir = mkdtempSync(join(tmpdir(), 'vtg-rules-'));
  writeFileSync(join(rulesDir, 'eicar.yar'), 'rule EICAR_Test_File : av { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }');
  srv = await startTestServer({ env: { VTG_YARA_DIR: rulesDir } });
});
after(async () => {
  await srv.close();
  rmSync(rulesDir, { recursive: true, force: true });
});

describe('hostile content over HTTP', () => {
  test('POST /api/scan/archive answers the contract, with YARA matches and verdicts', async () => {
    const tar = makeTar([{ name: 'in.zip', data: makeZip([{ name: 'eicar.com', data: Buffer.from(EICAR) }]) }, { name: '../escape.txt', data: Buffer.from('x') }]);
    const form = new FormData();
    form.set('file', new Blob([tar]), 'drop.tar');
    const r = await call(srv.url, '/api/scan/archive', { method: 'POST', body: form });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.body).sort(), ['archive', 'complete', 'findings', 'members']);
    assert.deepEqual(r.body.archive.path, 'drop.tar');
    assert.equal(r.body.archive.format, 'tar');
    const eicar = r.body.members.find((m: { path: string }) => m.path === 'in.zip!/eicar.com');
    assert.equal(eicar.verdict, 'malicious', 'the simulator knows EICAR');
    assert.deepEqual(eicar.yara.map((y: { rule: string }) => y.rule), ['EICAR_Test_File']);
    for (const k of ['sha256', 'sha1', 'md5', 'size', 'depth', 'type', 'detections']) assert.ok(k in eicar, k);
    assert.deepEqual(r.body.findings.map((f: { kind: string }) => f.kind), ['path_traversal']);

    // the match is history of the member: by any of its hashes, with where it was seen
    for (const hash of [eicar.sha256, eicar.md5]) {
      const h = await call(srv.url, `/api/history/${hash}`);
      assert.equal(h.status, 200, h.text);
      const seen = h.body.yara.find((y: { name: string }) => y.name === 'drop.tar!/in.zip!/eicar.com');
      assert.ok(seen, JSON.stringify(h.body.yara));
      assert.equal(seen.sha256, eicar.sha256);
      assert.deepEqual(seen.matches.map((m: { rule: string; tags: string[] }) => [m.rule, m.tags]), [['EICAR_Test_File', ['av']]]);
    }
  });

  test('POST /api/scan/file runs the rules on the file and records the match', async () => {
    const form = new FormData();
    form.set('file', new Blob([EICAR]), 'eicar.com');
    const r = await call(srv.url, '/api/scan/file', { method: 'POST', body: form });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.yara.map((y: { rule: string }) => y.rule), ['EICAR_Test_File']);
    const h = await call(srv.url, `/api/history/${r.body.target}`);
    assert.ok(h.body.yara.some((y: { name: string }) => y.name === 'eicar.com'), JSON.stringify(h.body.yara));
  });

  test('a caller may tighten the limits and skip lookups, never loosen them', async () => {
    const nested = makeZip([{ name: 'inner.zip', data: makeZip([{ name: 'deep.txt', data: Buffer.from('deep') }]) }]);
    const scan = async (fields: Record<string, string>) => {
      const form = new FormData();
      form.set('file', new Blob([nested]), 'n.zip');
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      return call(srv.url, '/api/scan/archive', { method: 'POST', body: form });
    };
    const shallow = await scan({ limits: JSON.stringify({ maxDepth: 1 }), no_lookup: 'true' });
    assert.equal(shallow.status, 200, shallow.text);
    assert.deepEqual(shallow.body.findings.map((f: { kind: string; limit?: string }) => [f.kind, f.limit]), [['limit', 'depth']]);
    assert.ok(shallow.body.members.every((m: { verdict: string }) => m.verdict === 'unknown'), 'no lookups');
    const capped = await scan({ limits: JSON.stringify({ maxEntries: 1_000_000_000 }) });
    assert.equal(capped.status, 200, capped.text);
    assert.equal(capped.body.complete, true);
    for (const bad of ['{', JSON.stringify({ maxDepth: -1 }), JSON.stringify({ keepBytes: 1 })]) {
      const r = await scan({ limits: bad });
      assert.equal(r.status, 400, `${bad}: ${r.text}`);
    }
  });

  test('POST /api/scan/file-url refuses internal targets with the reason', async () => {
    for (const url of ['http://127.0.0.1:1/', 'file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/']) {
      const r = await call(srv.url, '/api/scan/file-url', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
      assert.equal(r.status, 400, `${url}: ${r.text}`);
      assert.equal(r.body.error.code, 'FetchRefused');
    }
  });

  test('GET /api/yara/rules lists the rules in VTG_YARA_DIR', async () => {
    const r = await call(srv.url, '/api/yara/rules');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.rules, [{ name: 'EICAR_Test_File', file: 'eicar.yar', tags: ['av'] }]);
    assert.equal(r.body.error, null);
  });
});
