/** Folder watching: new and changed files are scanned once they settle; unchanged content and ignored names are not. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FolderWatcher, parseAction, runAction } from './index.js';

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('vtg watch', () => {
  test('scans new and changed files after a debounce, skips unchanged content and ignored globs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtg-watch-'));
    writeFileSync(join(dir, 'old.txt'), 'already here');
    const seen: string[] = [];
    const w = new FolderWatcher(dir, { recursive: true, ignore: ['*.part', 'tmp/**'], debounceMs: 100, onFile: async (p) => void seen.push(p.slice(dir.length + 1)) });
    try {
      await w.start();
      writeFileSync(join(dir, 'a.bin'), 'one');
      writeFileSync(join(dir, 'skip.part'), 'partial');
      mkdirSync(join(dir, 'tmp'));
      writeFileSync(join(dir, 'tmp', 'x'), 'ignored');
      await until(() => seen.includes('a.bin'), 'a.bin');
      writeFileSync(join(dir, 'a.bin'), 'one'); // same bytes: no second scan
      writeFileSync(join(dir, 'old.txt'), 'changed now');
      await until(() => seen.includes('old.txt'), 'old.txt');
      await w.idle();
      assert.deepEqual(seen.sort(), ['a.bin', 'old.txt']);
    } finally {
      w.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('actions: move quarantines under the hash; bad specs are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtg-watch-'));
    try {
      const file = join(dir, 'evil.exe');
      writeFileSync(file, 'x');
      const msg = await runAction(parseAction(`move:${join(dir, 'q')}`), { path: file, sha256: 'ab'.repeat(32), verdict: 'malicious', detections: 5, yara: [] }, { webhookAllowlist: [] });
      assert.match(msg, /moved/);
      assert.ok(!existsSync(file));
      assert.ok(existsSync(join(dir, 'q', `${'ab'.repeat(32)}.quarantine`)));
      assert.throws(() => parseAction('delete'), /move:<dir>/);
      await assert.rejects(runAction(parseAction('webhook:http://10.0.0.1/hook'), { path: file, sha256: 'x', verdict: 'malicious', detections: 1, yara: [] }, { webhookAllowlist: [] }), /private/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
