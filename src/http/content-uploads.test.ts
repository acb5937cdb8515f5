/** Per-token upload policy, stored with the token (`vtg token create|update --upload-policy`) or in the config file (`content.tokenUploads`). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHash } from 'node:crypto';
import { makeZip } from '../archives/test-support/make.js';
import { mockVerdict } from '../mock/index.js';
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

/** The first admin token opens the server's token list; later tests use the same one. */
let firstAdmin: Promise<string> | undefined;
const adminToken = () => {
  firstAdmin ??= call(srv.url, '/api/tokens', json({ name: 'root', role: 'admin' })).then((r) => r.body.token as string);
  return firstAdmin;
};

test('a token set to `never` cannot opt in to uploads; without opting in it scans normally', async () => {
  const admin = await adminToken();
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

/** Content the simulator does not know before an upload. */
function unknownContent(tag: string): Buffer {
  for (let i = 0; i < 200; i++) {
    const content = Buffer.from(`#!/bin/sh\necho ${tag} ${i}\n`);
    if (!mockVerdict('file', createHash('sha256').update(content).digest('hex')).found) return content;
  }
  throw new Error('no unknown content found');
}

test("a token's stored upload policy is enforced over HTTP and an admin can change it", async () => {
  const admin = await adminToken();
  const made = await call(srv.url, '/api/tokens', { ...json({ name: 'ci', role: 'analyst', uploadPolicy: 'never' }), token: admin });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.body.record.uploadPolicy, 'never');
  const ci = made.body.token as string;
  const file = unknownContent('ci-policy');
  const scanFile = async () => {
    const f = new FormData();
    f.set('file', new Blob([file]), 'build.sh');
    return call(srv.url, '/api/scan/file', { method: 'POST', body: f, token: ci });
  };
  const archive = async () => {
    const f = new FormData();
    f.set('file', new Blob([makeZip([{ name: 'build.sh', data: file }])]), 'out.zip');
    f.set('upload_unknown', 'true');
    return call(srv.url, '/api/scan/archive', { method: 'POST', body: f, token: ci });
  };

  // never: the file is answered by hash only, and opting in is refused
  const byHash = await scanFile();
  assert.equal(byHash.status, 200, byHash.text);
  assert.equal(byHash.body.submitted, false);
  assert.equal(byHash.body.analysisId, null);
  assert.equal(byHash.body.report.report.found, false);
  assert.equal((await archive()).status, 403);
  const v3 = new FormData();
  v3.set('file', new Blob([file]), 'build.sh');
  const viaV3 = await call(srv.url, '/api/v3/files', { method: 'POST', body: v3, token: ci });
  assert.equal(viaV3.status, 403, viaV3.text);
  assert.equal(viaV3.body.error.code, 'ForbiddenError', 'the VirusTotal-compatible surface keeps the policy too');

  // only an admin changes it
  const ciTry = await call(srv.url, '/api/tokens/ci', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uploadPolicy: 'always' }), token: ci });
  assert.equal(ciTry.status, 403);
  const patch = (id: string, body: unknown) => call(srv.url, `/api/tokens/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), token: admin });
  assert.equal((await patch('nobody', { uploadPolicy: 'never' })).status, 404);
  assert.equal((await patch('ci', {})).status, 400);
  const changed = await patch('ci', { uploadPolicy: 'unknown-only' });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.uploadPolicy, 'unknown-only');
  const listed = (await call(srv.url, '/api/tokens', { token: admin })).body.tokens as Array<{ name: string; uploadPolicy: string | null }>;
  assert.equal(listed.find((t) => t.name === 'ci')?.uploadPolicy, 'unknown-only');

  // unknown-only: the unknown file is uploaded, and the archive member too when the caller opts in
  const uploaded = await scanFile();
  assert.equal(uploaded.status, 200, uploaded.text);
  assert.equal(uploaded.body.submitted, true);
  assert.match(String(uploaded.body.analysisId), /.+/);
  const opted = await archive();
  assert.equal(opted.status, 200, opted.text);

  // back to the server's default (null) clears the setting
  assert.equal((await patch('ci', { uploadPolicy: null })).body.uploadPolicy, null);
});
