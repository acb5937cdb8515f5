// Two processes on one SQLite file (vtg serve + vtg batch on one data dir): writes never fail with
// "database is locked", and everything both wrote is there.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { Store } from './index.js';
import { testId as idOf } from './test-support/reports.js';
import { makeTempDir } from './test-support/temp-dir.js';

function contender(file: string, name: string, steps: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/store/test-support/contender.ts', file, name, String(steps)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += String(c);
    });
    child.stderr.on('data', (c) => {
      out += String(c);
    });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('two processes writing the same store at once: no SQLITE_BUSY, nothing lost', async () => {
  const dir = makeTempDir();
  try {
    const file = join(dir.dir, 'vt-gateway.sqlite');
    await (await Store.open({ file })).close(); // migrations first, as `vtg serve` would have done
    const steps = 300;
    const [a, b] = await Promise.all([contender(file, 'serve', steps), contender(file, 'batch', steps)]);
    assert.equal(a.code, 0, a.out);
    assert.equal(b.code, 0, b.out);
    const store = await Store.open({ file });
    try {
      for (const name of ['serve', 'batch']) {
        for (let i = 0; i < steps; i += 37) assert.ok(await store.cache.get('virustotal', 'file', idOf(`${name}-${i}`)), `${name}-${i} was lost`);
      }
      assert.deepEqual(await store.integrityCheck(), ['ok']);
    } finally {
      await store.close();
    }
  } finally {
    dir.remove();
  }
});
