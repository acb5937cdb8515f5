/** `vtg search`, `vtg related` and `vtg export`, embedded and against a server, through the built binary. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { COWRIE_IP, EICAR_SHA256, populate } from '../exports/test-support/populate.js';
import { startTestServer, type TestServer } from '../http/test-support/harness.js';
import { EICAR_MD5 } from '../exports/test-support/populate.js';
import { ensureBuilt, runVtg, type Sandbox, sandbox } from './test-support/harness.js';

let box: Sandbox;
let env: NodeJS.ProcessEnv;
let server: TestServer;
const vtg = (args: string[]) => runVtg(args, env);

before(async () => {
  ensureBuilt();
  box = sandbox();
  env = box.env();
  server = await startTestServer();
  await populate(server.gateway);
});
after(async () => {
  await server?.close();
  box?.remove();
});

test('embedded: search after lookups, bad filters exit 2, export to a file and to stdout, related', async () => {
  assert.equal((await vtg(['lookup', EICAR_MD5, 'example.com', 'http://malware.example/a.sh'])).code, 0);
  const s = await vtg(['search', '--json']);
  assert.equal(s.code, 0, s.stderr);
  const page = JSON.parse(s.stdout);
  assert.equal(page.total, 3);
  assert.ok(page.items.some((i: { id: string }) => i.id === EICAR_SHA256));
  const table = await vtg(['search', '--kind', 'file']);
  assert.match(table.stdout, /1 of 1 shown/);
  const bad = await vtg(['search', '--verdict', 'evil']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--verdict/);
  assert.equal((await vtg(['search', '--since', 'last tuesday'])).code, 2);

  const out = join(box.dir, 'feed.csv');
  const e = await vtg(['export', '--format', 'csv', '--out', out, '--kind', 'domain']);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stderr, /exported 1 indicator as csv to .*feed\.csv; feed cursor \d+/);
  const lines = readFileSync(out, 'utf8').trim().split('\r\n');
  assert.equal(lines.length, 2, 'header + example.com');
  assert.match(lines[1]!, /^domain,example\.com,/);
  const stix = await vtg(['export', '--format', 'stix']);
  assert.equal(stix.code, 0, stix.stderr);
  assert.equal(JSON.parse(stix.stdout).type, 'bundle');
  assert.equal((await vtg(['export', '--format', 'yaml'])).code, 2);
  const related = await vtg(['related', 'http://malware.example/a.sh', '--json']);
  assert.equal(related.code, 0, related.stderr);
  assert.ok(JSON.parse(related.stdout).edges.some((x: { relation: string }) => x.relation === 'url_host'));
});

test('remote: the same commands against a running server', async () => {
  const renv = box.env({ VTG_SERVER: server.url });
  const s = await runVtg(['search', '--source', 'cowrie:run-1', '--json'], renv);
  assert.equal(s.code, 0, s.stderr);
  assert.ok(JSON.parse(s.stdout).items.some((i: { indicator: string }) => i.indicator === COWRIE_IP));
  const bad = await runVtg(['search', '--cursor', 'junk'], renv);
  assert.equal(bad.code, 2, bad.stderr);
  const nd = await runVtg(['export', '--format', 'ndjson', '--kind', 'file'], renv);
  assert.equal(nd.code, 0, nd.stderr);
  assert.ok(nd.stdout.trim().split('\n').map((l) => JSON.parse(l)).some((r) => r.id === EICAR_SHA256));
  const rel = await runVtg(['related', COWRIE_IP, '--depth', '2'], renv);
  assert.equal(rel.code, 0, rel.stderr);
  assert.match(rel.stdout, /cowrie_download/);
});
