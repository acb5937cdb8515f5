import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KNOWN_DSHIELD_ATTACKERS, simulatedDshield } from './dshield/index.js';
import { KNOWN_SPUR_OBJECTS, simulatedSpur } from './spur/index.js';
import { ipObject } from './virustotal/objects.js';

test('every simulated source agrees on an address ASN and country', () => {
  const ips = ['45.148.10.95', '8.8.8.8', '1.1.1.1', '203.0.113.9', '101.81.5.6', ...Object.keys(KNOWN_DSHIELD_ATTACKERS), ...Object.keys(KNOWN_SPUR_OBJECTS)];
  for (let i = 0; i < 40; i++) ips.push(`${11 + i}.${(i * 37) % 255}.${(i * 11) % 255}.${i + 1}`);
  for (const ip of ips) {
    const d = (simulatedDshield(ip) as { ip: { as: number; ascountry: string } }).ip;
    const s = simulatedSpur(ip) as { as?: { number?: number }; location?: { country?: string } } | null;
    const v = ipObject('https://www.virustotal.com', ip, { found: true, stats: { harmless: 1, malicious: 0, suspicious: 0, undetected: 0, timeout: 0 }, threatLabel: null }).attributes as { asn: number; country: string };
    assert.equal(d.as, v.asn, `${ip}: DShield AS ${d.as}, VirusTotal ${v.asn}`);
    assert.equal(d.ascountry, v.country, `${ip}: country`);
    if (s) {
      assert.equal(s.as?.number, v.asn, `${ip}: SPUR AS ${s.as?.number}, VirusTotal ${v.asn}`);
      assert.equal(s.location?.country, v.country, `${ip}: SPUR country`);
    }
  }
});
