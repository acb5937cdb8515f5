/** Local YARA rules: EICAR found inside a zip inside a tar, cross-checked with Debian's yara when present. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { scanArchiveBuffer } from '../archives/index.js';
import { EICAR, makeTar, makeZip } from '../archives/test-support/make.js';
import { YaraRuleError, YaraRules } from './index.js';

const RULE = `rule EICAR_Test_File : test av {
  meta: description = "EICAR test string" severity = 1
  strings: $eicar = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
  condition: $eicar
}`;

function hasYaraCli(): boolean {
  try {
    execFileSync('yara', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('local YARA rules', () => {
  test('a rule matching EICAR flags the EICAR file inside a zip inside a tar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtg-yara-'));
    try {
      writeFileSync(join(dir, 'eicar.yar'), RULE);
      writeFileSync(join(dir, 'notes.txt'), 'not a rule file');
      const rules = YaraRules.load(dir);
      assert.deepEqual(rules.status().rules, [{ name: 'EICAR_Test_File', file: 'eicar.yar', tags: ['test', 'av'] }]);
      const zip = makeZip([{ name: 'eicar.com', data: Buffer.from(EICAR) }, { name: 'clean.txt', data: Buffer.from('clean') }]);
      const tar = makeTar([{ name: 'drop/sample.zip', data: zip }]);
      const r = await scanArchiveBuffer(tar, 'outer.tar', {}, { yara: (d) => rules.scan(d) });
      const eicar = r.members.find((m) => m.path === 'drop/sample.zip!/eicar.com');
      assert.ok(eicar, JSON.stringify(r.members.map((m) => m.path)));
      assert.equal(eicar.depth, 2);
      assert.deepEqual(eicar.yara.map((y) => [y.rule, y.tags, y.offsets]), [['EICAR_Test_File', ['test', 'av'], [28]]]);
      assert.equal(eicar.yara[0]?.meta.description, 'EICAR test string');
      assert.deepEqual(r.members.find((m) => m.path.endsWith('clean.txt'))?.yara, []);
      assert.deepEqual(r.archive.yara, [], 'the tar itself was scanned too (EICAR is deflated inside the zip)');
      if (hasYaraCli()) {
        // Debian's yara agrees on the same rule and bytes.
        const file = join(dir, 'eicar.com');
        writeFileSync(file, EICAR);
        const out = execFileSync('yara', ['-s', join(dir, 'eicar.yar'), file], { encoding: 'utf8' });
        assert.match(out, /EICAR_Test_File/);
        assert.match(out, /^0x1c:\$eicar/m);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a broken rule file is a clear error; a reload that breaks keeps the last good rules', async () => {
    assert.throws(() => YaraRules.fromSource('rule x { condition: nope }'), YaraRuleError);
    const dir = mkdtempSync(join(tmpdir(), 'vtg-yara-'));
    try {
      writeFileSync(join(dir, 'a.yara'), RULE);
      const rules = YaraRules.load(dir);
      writeFileSync(join(dir, 'b.yar'), 'rule broken { condition: nope }');
      rules.reload();
      assert.match(rules.status().error ?? '', /nope|E009/);
      assert.equal((await rules.scan(Buffer.from(EICAR))).length, 1);
      rmSync(join(dir, 'b.yar'));
      writeFileSync(join(dir, 'c.yar'), 'rule Hello { strings: $h = "hello" condition: $h }');
      rules.reload();
      assert.equal(rules.status().error, null);
      assert.deepEqual((await rules.scan(Buffer.from('hello'))).map((m) => m.rule), ['Hello']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
