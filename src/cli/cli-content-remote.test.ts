/**
 * Hostile content against a running service (`--server`): scan archive posts the file, scan fetch
 * has the server fetch under its own SSRF guard, yara rules lists the server's rules, and vtg watch
 * posts each settled file; the output is the embedded one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { EICAR, makeZip } from '../archives/test-support/make.js';
import { startTestServer, type TestServer } from '../http/test-support/harness.js';
import { run } from './main.js';
import { ensureBuilt, startVtg } from './test-support/harness.js';

let srv: TestServer;
let dir: string;
let rulesDir: string;
/** A file server on loopback, the only address the service's fetch allowlist admits. */
let files: Server;
let filesUrl: string;
const ZIP = makeZip([{ name: 'eicar.com', data: Buffer.from(EICAR) }, { name: 'readme.txt', data: Buffer.from('hello') }]);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtg-remote-'));
  rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  writeFileSync(join(rulesDir, 'eicar.yar'), 'rule EICAR_Remote { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }');
  srv = await startTestServer({ env: { VTG_YARA_DIR: rulesDir, VTG_FETCH_ALLOWLIST: '127.0.0.1' } });
  files = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/zip' }).end(ZIP));
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => files.close(r));
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

async function vtg(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += String(c)));
  err.on('data', (c) => (stderr += String(c)));
  const code = await run(args, { stdout: out, stderr: err, stdin: Readable.from([]), env: { HOME: dir, VTG_DATA_DIR: join(dir, 'data'), ...extraEnv } });
  return { code, stdout, stderr };
}

test('scan archive --server: the service scans it; passwords and the file name travel with it', async () => {
  const file = join(dir, 'remote.zip');
  writeFileSync(file, makeZip([{ name: '../up.txt', data: Buffer.from('x') }, { name: 'b.txt', data: Buffer.from('b') }]));
  const r = await vtg(['scan', 'archive', file, '--server', srv.url, '--json', '--password', 'pw']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.archive.path, file, 'named as the caller named it, as in a local scan');
  assert.equal(doc.members.length, 2);
  assert.deepEqual(doc.findings.map((f: { kind: string }) => f.kind), ['path_traversal']);
  const missing = await vtg(['scan', 'archive', join(dir, 'nope.zip'), '--server', srv.url]);
  assert.equal(missing.code, 2);
});

test('scan fetch --server: the server fetches (its allowlist, its guard) and prints the contract; refusals exit 2 with the reason', async () => {
  const r = await vtg(['scan', 'fetch', `${filesUrl}/drop.zip?X-Amz-Signature=secret`, '--server', srv.url, '--json', '--fail-on', 'yara']);
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.archive.format, 'zip');
  assert.equal(doc.archive.path, `${filesUrl}/drop.zip?…`, 'the query string is never printed');
  assert.deepEqual(doc.members.map((m: { path: string; yara: Array<{ rule: string }> }) => [m.path, m.yara.map((y) => y.rule)]), [
    ['eicar.com', ['EICAR_Remote']],
    ['readme.txt', []],
  ]);
  assert.ok(!r.stdout.includes('secret'));
  const refused = await vtg(['scan', 'fetch', 'http://10.0.0.1/x.zip', '--server', srv.url]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /private/);
  const local = await vtg(['scan', 'fetch', `${filesUrl}/drop.zip`, '--server', srv.url, '--yara', rulesDir]);
  assert.equal(local.code, 2);
  assert.match(local.stderr, /--yara is for local scans/);
});

test('yara rules --server lists the server\'s rules', async () => {
  const r = await vtg(['yara', 'rules', '--server', srv.url, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).rules.map((x: { name: string }) => x.name), ['EICAR_Remote']);
});

test('watch --server: each new file is posted to the service and reported; the action runs here', async () => {
  ensureBuilt();
  const watched = join(dir, 'inbox');
  const quarantine = join(dir, 'quarantine');
  mkdirSync(watched);
  const live = startVtg(['watch', watched, '--server', srv.url, '--json', '--debounce', '200', '--on-malicious', `move:${quarantine}`], { HOME: dir, VTG_DATA_DIR: join(dir, 'watch-data'), PATH: process.env.PATH ?? '' });
  try {
    await live.waitFor((_o, e) => /watching/.test(e), 60_000);
    writeFileSync(join(watched, 'drop.zip'), ZIP);
    await live.waitFor((o) => o.includes('drop.zip'), 120_000);
    const line = JSON.parse(live.stdout().trim().split('\n').find((l) => l.includes('drop.zip')) as string);
    assert.equal(line.verdict, 'malicious', 'the simulator behind the server knows EICAR');
    assert.deepEqual(line.yara, ['EICAR_Remote'], "the server's rules ran");
    assert.match(line.action, /moved to .*quarantine/);
  } finally {
    live.kill('SIGINT');
    await live.exited;
  }
});

test('token create|update --upload-policy, embedded and through the server (last: it closes the server)', async () => {
  const local = await vtg(['token', 'create', 'ingest', '--role', 'analyst', '--upload-policy', 'always', '--json']);
  assert.equal(local.code, 0, local.stderr);
  assert.equal(JSON.parse(local.stdout).uploadPolicy, 'always');
  const cleared = await vtg(['token', 'update', 'ingest', '--upload-policy', 'default', '--daily-budget', 'none', '--json']);
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.deepEqual([JSON.parse(cleared.stdout).uploadPolicy, JSON.parse(cleared.stdout).dailyBudget], [null, null]);
  assert.equal((await vtg(['token', 'update', 'ingest'])).code, 2, 'nothing to change');
  assert.equal((await vtg(['token', 'create', 'x', '--role', 'reader', '--upload-policy', 'sometimes'])).code, 2);

  const admin = JSON.parse((await vtg(['token', 'create', 'root', '--role', 'admin', '--json', '--server', srv.url])).stdout).token as string;
  const remote = (args: string[]) => vtg([...args, '--server', srv.url], { VTG_TOKEN: admin });
  const made = await remote(['token', 'create', 'ci', '--role', 'analyst', '--upload-policy', 'never']);
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /upload policy\s+never/);
  const changed = await remote(['token', 'update', 'ci', '--upload-policy', 'unknown-only', '--daily-budget', '20']);
  assert.equal(changed.code, 0, changed.stderr);
  assert.match(changed.stdout, /daily budget\s+20\n.*upload policy\s+unknown-only/s);
  const list = await remote(['token', 'list', '--csv', '--fields', 'name,uploadPolicy']);
  assert.match(list.stdout, /\nci,unknown-only\n/);
  const missing = await remote(['token', 'update', 'nobody', '--upload-policy', 'never']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no live token with id or name "nobody"/);
});
