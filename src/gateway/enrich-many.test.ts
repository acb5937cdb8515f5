/**
 * Enrichment of many indicators is driven per provider: DShield's pace (1 call a second) holds back
 * DShield's own lookups only, never VirusTotal's. On a fake clock that does not move, every
 * VirusTotal answer arrives while DShield has spent its burst and waits for the next second.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { loadConfig } from '../config/index.js';
import { parseIndicator } from '../indicators/index.js';
import type { EnrichSource } from './enrich.js';
import { Gateway, startSimulator } from './index.js';
import { TEST_VT_KEY } from './test-support/harness.js';

test('a slow provider never holds back the others; every (indicator, provider) is answered once', async (t) => {
  const clock = new FakeClock(Date.UTC(2026, 3, 1, 12));
  const sim = await startSimulator({ profile: 'premium' });
  const dir = mkdtempSync(join(tmpdir(), 'vtg-enrich-many-'));
  const gateway = await Gateway.open({
    clock,
    background: false,
    config: loadConfig({
      env: {
        HOME: dir,
        VTG_DATA_DIR: dir,
        VT_API_KEY: TEST_VT_KEY,
        VTG_VIRUSTOTAL_URL: sim.url,
        DSHIELD_EMAIL: 'honeypot@example.org',
        VTG_DSHIELD_URL: sim.url,
        VTG_VT_LIMITS: 'minute=1000,day=100000,month=1000000,burst=1000',
      },
    }),
  });
  t.after(async () => {
    await gateway.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ips = Array.from({ length: 12 }, (_, i) => parseIndicator(`45.148.10.${i + 1}`));
  const answers: Array<{ ip: string; source: EnrichSource; upstream: boolean }> = [];
  const count = (provider: string) => answers.filter((a) => a.source.provider === provider).length;
  const done = gateway.enrichMany(ips, {
    providers: ['virustotal', 'dshield'],
    window: 4,
    onSource: (indicator, source, upstream) => answers.push({ ip: indicator.value, source, upstream }),
  });

  // Real time passes, fake time does not: VirusTotal finishes, DShield is stuck after its burst of 2.
  const deadline = Date.now() + 30_000;
  while (count('virustotal') < ips.length) {
    assert.ok(Date.now() < deadline, `VirusTotal answered ${count('virustotal')} of ${ips.length} while DShield waited`);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(count('dshield') <= 2, `DShield answered ${count('dshield')} without time passing`);

  // then fake seconds pass (DShield's calls go out over the network in real time between them)
  const end = Date.now() + 60_000;
  while (count('dshield') < ips.length) {
    assert.ok(Date.now() < end, `DShield answered ${count('dshield')} of ${ips.length}`);
    await clock.advance(1000);
    await new Promise((r) => setTimeout(r, 20));
  }
  await done;
  for (const provider of ['virustotal', 'dshield']) {
    const mine = answers.filter((a) => a.source.provider === provider);
    assert.deepEqual(mine.map((a) => a.ip).sort(), ips.map((i) => i.value).sort(), `${provider}: each indicator once`);
    assert.ok(mine.every((a) => a.source.ok && a.upstream), `${provider}: answered by its own upstream call`);
  }
  // the same indicators again: the cache answers, nothing goes upstream
  const again: boolean[] = [];
  await gateway.enrichMany(ips, { providers: ['virustotal', 'dshield'], onSource: (_, s, upstream) => again.push(s.ok && !upstream) });
  assert.equal(again.length, ips.length * 2);
  assert.ok(again.every(Boolean));
});
