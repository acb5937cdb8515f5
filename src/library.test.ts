// The library as users import it: `import { Gateway } from 'vt-gateway'` (the package's own exports, built to dist/).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

test('the README library example works through the package name', async () => {
  const { Gateway, loadConfig } = await import('vt-gateway');
  const dir = mkdtempSync(join(tmpdir(), 'vtg-lib-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // README: with no key configured the gateway runs on its simulator (mock mode).
  const gateway = await Gateway.open({ config: loadConfig({ env: { HOME: dir, VTG_DATA_DIR: dir } }) });
  try {
    const result = await gateway.lookup('275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f');
    assert.equal(result.report.verdict, 'malicious');
    assert.equal(result.source, 'upstream');
    const again = await gateway.lookup('44d88612fea8a8f36de82e1278abb02f');
    assert.equal(again.source, 'cache');
    const quota = await gateway.quota();
    assert.equal(quota.mock, true);
    assert.ok(quota.windows.some((w) => w.window === 'day'));
  } finally {
    await gateway.close();
  }
});
