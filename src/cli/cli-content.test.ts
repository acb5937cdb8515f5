/** The built `vtg` on hostile content: scan archive (contract, exit codes, --fail-on), scan fetch refusals, yara test. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EICAR, makeTar, makeZip } from '../archives/test-support/make.js';
import { ensureBuilt, runVtg, type Sandbox, sandbox } from './test-support/harness.js';

let box: Sandbox;
let env: NodeJS.ProcessEnv;
const vtg = (args: string[]) => runVtg(args, env, { timeoutMs: 120_000 });

before(() => {
  ensureBuilt();
  box = sandbox();
  env = box.env();
});
after(() => box.remove());

describe('vtg scan archive / fetch, vtg yara test', () => {
  test('--json prints the contract; a finding is exit 0; --fail-on finding is 1; unreadable input is 2', async () => {
    const file = join(box.dir, 'drop.tar');
    writeFileSync(file, makeTar([{ name: '../../etc/cron.d/x', data: Buffer.from('* * * * * root sh') }, { name: 'in.zip', data: makeZip([{ name: 'a.txt', data: Buffer.from('a') }]) }]));
    const r = await vtg(['scan', 'archive', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.archive.format, 'tar');
    assert.ok(doc.members.some((m: { path: string; depth: number }) => m.path === 'in.zip!/a.txt' && m.depth === 2));
    assert.deepEqual(doc.findings.map((f: { kind: string }) => f.kind), ['path_traversal']);
    const gated = await vtg(['scan', 'archive', file, '--fail-on', 'finding', '--no-lookup', '--json']);
    assert.equal(gated.code, 1);
    const missing = await vtg(['scan', 'archive', join(box.dir, 'nope.zip')]);
    assert.equal(missing.code, 2);
  });

  test('scan fetch refuses an internal address with exit 2 and the reason', async () => {
    const r = await vtg(['scan', 'fetch', 'http://0177.0.0.1/x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /private, loopback/);
  });

  test('a YARA match is history of the file: vtg history shows it, by sha256 or md5', async () => {
    const rules = join(box.dir, 'hist.yar');
    writeFileSync(rules, 'rule EICAR_In_History { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }');
    const zip = join(box.dir, 'hist.zip');
    writeFileSync(zip, makeZip([{ name: 'eicar.com', data: Buffer.from(EICAR) }]));
    const r = await vtg(['scan', 'archive', zip, '--yara', rules, '--no-lookup', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const member = JSON.parse(r.stdout).members[0];
    const human = await vtg(['history', member.md5]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /local YARA rules matched it in 1 scan:/);
    assert.match(human.stdout, /EICAR_In_History {2}in .*hist\.zip!\/eicar\.com/);
    const doc = JSON.parse((await vtg(['history', member.sha256, '--json'])).stdout);
    assert.deepEqual(doc.yara.map((y: { sha1: string; matches: Array<{ rule: string }> }) => [y.sha1, y.matches[0]?.rule]), [[member.sha1, 'EICAR_In_History']]);
  });

  test('yara test finds EICAR in a zip member; exit 1 when nothing matches', async () => {
    const rules = join(box.dir, 'eicar.yar');
    writeFileSync(rules, 'rule EICAR_Test_File { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }');
    const zip = join(box.dir, 's.zip');
    writeFileSync(zip, makeZip([{ name: 'eicar.com', data: Buffer.from(EICAR) }]));
    const r = await vtg(['yara', 'test', rules, zip, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).matches.map((m: { path: string; rule: string }) => [m.path.endsWith('!/eicar.com'), m.rule]), [[true, 'EICAR_Test_File']]);
    const clean = join(box.dir, 'clean.txt');
    writeFileSync(clean, 'nothing here');
    assert.equal((await vtg(['yara', 'test', rules, clean])).code, 1);
  });
});
