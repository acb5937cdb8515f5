/** The content service's YARA bookkeeping: what it hands to history, and one rules set per `--yara` directory. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { GatewayConfig } from '../config/index.js';
import { ContentService, type YaraSighting } from './index.js';
import { EICAR, makeTar, makeZip } from './test-support/make.js';

const dir = mkdtempSync(join(tmpdir(), 'vtg-content-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'eicar.yar'), 'rule EICAR_Svc { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }');

function service(recorded: YaraSighting[]): ContentService {
  const content = { uploads: 'never', tokenUploads: {}, fetchAllowlist: [], fetchMaxBytes: 1024, fetchTimeoutMs: 1000 };
  const config = { content } as unknown as GatewayConfig;
  const host = {
    config,
    lookup: async () => {
      throw new Error('no lookups here');
    },
    scanFile: async () => ({ analysisId: null }),
  };
  return new ContentService(host, { recordYara: async (s) => void recorded.push(s) });
}

test('each distinct matched file is recorded once per scan, named where it was seen; files the rules miss are not', async () => {
  const recorded: YaraSighting[] = [];
  const svc = service(recorded);
  try {
    const rules = svc.withRules(dir);
    assert.equal(svc.withRules(dir), rules, 'one rules set per directory, not one per scan');
    const eicar = Buffer.from(EICAR);
    const tar = makeTar([
      { name: 'in.zip', data: makeZip([{ name: 'a.com', data: eicar }]) },
      { name: 'copy.com', data: eicar },
      { name: 'clean.txt', data: Buffer.from('nothing') },
    ]);
    const r = await rules.scanArchive({ data: tar, name: 'drop.tar' }, { noLookup: true });
    assert.deepEqual(r.members.filter((m) => m.yara.length).map((m) => m.path).sort(), ['copy.com', 'in.zip!/a.com']);
    const names = recorded.map((s) => s.name).sort();
    // the tar holds EICAR in the clear (it matches too); a.com and copy.com are one file, recorded once
    assert.deepEqual(names, ['drop.tar', 'drop.tar!/in.zip!/a.com']);
    assert.ok(recorded.every((s) => s.matches[0]?.rule === 'EICAR_Svc' && /^[0-9a-f]{64}$/.test(s.sha256) && s.md5.length === 32));
  } finally {
    svc.close();
  }
});
