/** Per-token upload policy (config `content.tokenUploads`): an admin can switch uploads off for a token. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeZip } from '../archives/test-support/make.js';
import { call, startTestServer, type TestServer } from './test-support/harness.js';

let srv: TestServer;
let dir: string;
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtg-cfg-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ content: { tokenUploads: { soc: 'never' } } }));
  srv = await startTestServer({ env: { VTG_CONFIG: file } });
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a token set to `never` cannot opt in to uploads; without opting in it scans normally', async () => {
  const admin = (await call(srv.url, '/api/tokens', json({ name: 'root', role: 'admin' }))).body.token as string;
  const soc = (await call(srv.url, '/api/tokens', { ...json({ name: 'soc', role: 'analyst' }), token: admin })).body.token as string;
  const zip = makeZip([{ name: 'a.txt', data: Buffer.from('a') }]);
  const form = (upload: boolean) => {
    const f = new FormData();
    f.set('file', new Blob([zip]), 'a.zip');
    if (upload) f.set('upload_unknown', 'true');
    return f;
  };
  const refused = await call(srv.url, '/api/scan/archive', { method: 'POST', body: form(true), token: soc });
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.error.code, 'UploadsNotAllowed');
  const ok = await call(srv.url, '/api/scan/archive', { method: 'POST', body: form(false), token: soc });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.members.length, 1);
});
