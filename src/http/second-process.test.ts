// `vtg serve` and another process (a `vtg batch`) on one data dir: the server's cache writes never
// fail with "database is locked" (no 500; a 503 only with Retry-After, and a retry answers), and every
// answer fetched upstream is kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { DATABASE_FILE } from '../store/store.js';
import { call, withUpstreamServer } from './test-support/harness.js';

const up = withUpstreamServer();

test('lookups that write the cache while a second process writes the same SQLite file: no 500, nothing lost', async () => {
  const file = join(up.server.dataDir, DATABASE_FILE);
  const ROOT = new URL('../../', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/store/test-support/contender.ts', file, 'batch', '400'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => {
    out += String(c);
  });
  child.stderr.on('data', (c) => {
    out += String(c);
  });
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  const statuses = new Map<string, number>();
  let i = 0;
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const workers = Array.from({ length: 4 }, async () => {
    while (running || i < 40) {
      const path = `/api/lookup/contended-${i++}.example.com`;
      // On a machine this busy that the upstream call times out, a 503 with Retry-After is an honest
      // answer; the client retries as told, and the indicator must then be answered (and kept).
      for (let attempt = 0; ; attempt++) {
        const r = await call(up.server.url, path);
        const key = r.status === 200 ? '200' : `${r.status} ${(r.body as { error?: { code?: string } } | null)?.error?.code ?? r.text.slice(0, 80)}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        assert.ok(r.status === 200 || (r.status === 503 && r.headers.get('retry-after') !== null && attempt < 5), `${path}: ${r.status} ${r.text}`);
        if (r.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });
  await Promise.all(workers);
  assert.equal(await exited, 0, out);
  assert.ok((statuses.get('200') ?? 0) >= 40, JSON.stringify([...statuses]));
  // every answer fetched is in the cache: asked again, none goes upstream
  const before = up.mock.stats().requests.length;
  for (let k = 0; k < i; k += 7) assert.equal((await call(up.server.url, `/api/lookup/contended-${k}.example.com`)).body.source, 'cache');
  assert.equal(up.mock.stats().requests.length, before);
});
