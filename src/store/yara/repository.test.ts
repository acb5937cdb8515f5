import assert from 'node:assert/strict';
import { FakeClock } from '../../clock/index.js';
import { openTestStore, storeTest } from '../test-support/engines.js';

let runs = 0;

const FILE = { sha256: 'a'.repeat(64), sha1: 'b'.repeat(40), md5: 'c'.repeat(32) };
const match = (rule: string) => ({ rule, namespace: 'default', tags: ['test'], meta: { author: 'x' }, offsets: [0, 12] });

storeTest('YARA observations are found by any of the file\'s hashes, oldest first, newest `limit`', async () => {
  const store = await openTestStore(`yara-${++runs}`, { clock: new FakeClock(0) });
  try {
    await store.yara.append({ ...FILE, at: 1000, name: 'drop.zip!/a.exe', matches: [match('eicar')] });
    await store.yara.append({ ...FILE, at: 2000, name: 'b.exe', matches: [match('eicar'), match('packed')] });
    await store.yara.append({ sha256: 'd'.repeat(64), sha1: 'e'.repeat(40), md5: 'f'.repeat(32), at: 1500, name: 'other', matches: [match('x')] });
    for (const hash of [FILE.sha256, FILE.sha1, FILE.md5, FILE.md5.toUpperCase()]) {
      const series = await store.yara.series(hash);
      assert.deepEqual(series.map((o) => [o.at, o.name, o.matches.map((m) => m.rule)]), [
        [1000, 'drop.zip!/a.exe', ['eicar']],
        [2000, 'b.exe', ['eicar', 'packed']],
      ]);
    }
    assert.deepEqual((await store.yara.series(FILE.sha256))[0]?.matches[0], match('eicar'));
    assert.deepEqual((await store.yara.series(FILE.sha256, { limit: 1 })).map((o) => o.at), [2000]);
    assert.deepEqual(await store.yara.series('not-a-hash'), []);
  } finally {
    await store.close();
  }
});
