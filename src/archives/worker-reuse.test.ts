/**
 * One worker per scan, one kept warm between scans: results do not depend on which worker ran a
 * level, a worker that stopped a bomb or was killed is never handed out again, and a gone worker
 * answers with an engine failure rather than hanging.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scanArchiveBuffer } from './index.js';
import { acquireWorker, releaseWorker } from './run-worker.js';
import { makeTar, makeZip, zipBomb } from './test-support/make.js';

const txt = (s: string) => Buffer.from(s);
const nested = () => makeZip([{ name: 'a.txt', data: txt('a') }, { name: 'in.tar', data: makeTar([{ name: 'in.zip', data: makeZip([{ name: 'b.txt', data: txt('b') }]) }]) }]);

describe('archive workers', { concurrency: 1 }, () => {
  test('the same archive gives the same result from a new worker and from the warm one, levels and all', async () => {
    const first = await scanArchiveBuffer(nested(), 'n.zip');
    const second = await scanArchiveBuffer(nested(), 'n.zip');
    assert.deepEqual(second, first);
    assert.deepEqual(
      first.members.map((m) => [m.path, m.depth]),
      [
        ['a.txt', 1],
        ['in.tar', 1],
        ['in.tar!/in.zip', 2],
        ['in.tar!/in.zip!/b.txt', 3],
      ],
    );
  });

  test('after a bomb stopped at a limit, the next scan is whole and right', async () => {
    const bomb = await scanArchiveBuffer(zipBomb(256), 'bomb.zip');
    assert.equal(bomb.complete, false);
    assert.ok(bomb.findings.some((f) => f.kind === 'limit'));
    const after = await scanArchiveBuffer(nested(), 'n.zip');
    assert.equal(after.complete, true);
    assert.equal(after.members.length, 4);
  });

  test('the pool: a clean worker is handed out again; a dirty one is ended; a gone one fails fast', async () => {
    const a = acquireWorker();
    releaseWorker(a, true);
    const again = acquireWorker();
    assert.equal(again, a, 'the warm worker is reused');
    releaseWorker(again, false);
    assert.equal(again.usable, false, 'a worker that stopped a bomb or was killed is ended');
    const fresh = acquireWorker();
    assert.notEqual(fresh, a);
    fresh.terminate();
    const data = new Uint8Array(makeZip([{ name: 'x', data: txt('x') }]));
    const limits = { totalBytes: 1e9, entryBytes: 1e9, entries: 100, maxRatio: 100, ratioThresholdBytes: 1 << 20, keepBytes: 1 << 20, deadline: Date.now() + 60_000, archiveSize: data.length, rootSize: data.length, rootBytesBefore: 0 };
    const out = await fresh.run({ data, name: 'x.zip', format: 'zip', passwords: [], keepAll: false, limits });
    assert.equal(out.killed, 'crash');
    assert.match(out.archiveErrors.join(' '), /engine failure/);
  });
});
