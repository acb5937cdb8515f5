// The integration examples in examples/, run as a user runs them, with `vtg` on PATH (the built CLI)
// (the GitHub Actions gate against a test gateway, as its secrets say): the gate fails on EICAR; the
// S3/MinIO script scans a presigned link (served here on loopback) and never prints its signature. The systemd units are
// checked by systemd-analyze when it is installed. The SOAR script needs vt-py and a Python
// environment this repository does not install: it is not run here.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EICAR } from '../archives/test-support/make.js';
import { call, startTestServer, type TestServer } from '../http/test-support/harness.js';
import { BIN, ensureBuilt, REPO } from './test-support/harness.js';

let t: TestServer;
let dir: string;
let token = '';
let bucket: Server;
let bucketUrl = '';
const SIGNATURE = 'X-Amz-Signature=5ec2e7d0c0ffee';

before(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vtg-examples-'));
  writeFileSync(join(dir, 'vtg'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(dir, 'vtg'), 0o755);
  t = await startTestServer();
  token = (await call(t.url, '/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci', role: 'analyst' }) })).body.token;
  // a stand-in for S3: the object only with its signature
  bucket = createServer((req, res) => {
    if (req.url === `/bucket/drop.com?${SIGNATURE}`) res.end(EICAR);
    else res.writeHead(403).end('SignatureDoesNotMatch');
  });
  await new Promise<void>((r) => bucket.listen(0, '127.0.0.1', r));
  bucketUrl = `http://127.0.0.1:${(bucket.address() as { port: number }).port}`;
});
after(async () => {
  await t?.close();
  await new Promise((r) => bucket?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function sh(script: string, args: string[], cwd: string, extra: Record<string, string> = { VTG_SERVER: t.url, VTG_TOKEN: token }): Promise<{ code: number | null; out: string }> {
  const env = { PATH: `${dir}:${process.env.PATH}`, HOME: dir, VTG_DATA_DIR: join(dir, 'data'), ...extra };
  const child = spawn('sh', [script, ...args], { cwd, env });
  let out = '';
  child.stdout.on('data', (c) => (out += String(c)));
  child.stderr.on('data', (c) => (out += String(c)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

test('the GitHub Actions gate: its scan step fails the job on EICAR', async () => {
  const workflow = readFileSync(join(REPO, 'examples', 'github-actions', 'vt-gate.yml'), 'utf8');
  const step = /^\s+run: (vtg scan file app\.tar\.gz .*)$/m.exec(workflow)?.[1];
  assert.ok(step, 'the workflow has its vtg scan step');
  const work = mkdtempSync(join(dir, 'job-'));
  writeFileSync(join(work, 'app.tar.gz'), EICAR);
  writeFileSync(join(work, 'step.sh'), `${step}\n`);
  const r = await sh('step.sh', [], work);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /malicious/);
});

test('the S3/MinIO script scans a presigned link and never prints the signature', async () => {
  const script = join(REPO, 'examples', 's3', 'scan-presigned.sh');
  // it runs with this machine's vtg (the simulator here); the bucket is on loopback, hence the allowlist
  const r = await sh(script, [`${bucketUrl}/bucket/drop.com?${SIGNATURE}`], dir, { VTG_FETCH_ALLOWLIST: '127.0.0.1' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /malicious/);
  assert.ok(!r.out.includes('5ec2e7d0c0ffee'), r.out);
  const usage = await sh(script, [], dir, {});
  assert.equal(usage.code, 2);
});

const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
test('the systemd units are well-formed', { skip: analyze ? false : 'systemd-analyze is not installed' }, () => {
  const units = ['vt-gateway.service', 'vtg-cowrie-enrich.service', 'vtg-cowrie-enrich.timer'].map((u) => join(REPO, 'examples', 'systemd', u));
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...units], { encoding: 'utf8' });
  // ExecStart names /usr/bin/vtg, which is not installed here: only that complaint is allowed
  const problems = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() && !/^[\w.-]+: Command \/usr\/bin\/vtg is not executable: No such file or directory$/.test(l));
  assert.deepEqual(problems, []);
});
