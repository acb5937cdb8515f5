/** `vtg scan archive --server URL` posts the archive to a running service and prints the same contract. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { makeZip } from '../archives/test-support/make.js';
import { startTestServer, type TestServer } from '../http/test-support/harness.js';
import { run } from './main.js';

let srv: TestServer;
let dir: string;
before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'vtg-remote-'));
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

async function vtg(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += String(c)));
  err.on('data', (c) => (stderr += String(c)));
  const code = await run(args, { stdout: out, stderr: err, stdin: Readable.from([]), env: { HOME: dir, VTG_DATA_DIR: join(dir, 'data') } });
  return { code, stdout, stderr };
}

test('scan archive --server: the service scans it; passwords and the file name travel with it', async () => {
  const file = join(dir, 'remote.zip');
  writeFileSync(file, makeZip([{ name: '../up.txt', data: Buffer.from('x') }, { name: 'b.txt', data: Buffer.from('b') }]));
  const r = await vtg(['scan', 'archive', file, '--server', srv.url, '--json', '--password', 'pw']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.archive.path, 'remote.zip');
  assert.equal(doc.members.length, 2);
  assert.deepEqual(doc.findings.map((f: { kind: string }) => f.kind), ['path_traversal']);
  const missing = await vtg(['scan', 'archive', join(dir, 'nope.zip'), '--server', srv.url]);
  assert.equal(missing.code, 2);
});
