// Downstream code reads a provider's typed details; answers cached before details existed still work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dshieldDetails } from './dshield/index.js';
import { spurDetails } from './spur/index.js';
import type { Report } from './types.js';

function report(provider: 'dshield' | 'spur', data: unknown, details?: Report['details']): Report {
  return { provider, kind: 'ip', id: '198.51.100.7', indicator: '198.51.100.7', found: true, verdict: 'suspicious', data, ...(details ? { details } : {}), fetchedAt: 0 };
}

test('DShield: the stored details are used as they are; an older answer without them is parsed once', () => {
  const details = { provider: 'dshield' as const, count: 9, attacks: 3, network: '198.51.100.0/24', asn: 64500, asName: 'EXAMPLE-AS', asCountry: 'NL', threatFeeds: ['blocklistde22'] };
  assert.deepEqual(dshieldDetails(report('dshield', { ip: { count: '1' } }, details)), details);
  const parsed = dshieldDetails(report('dshield', { ip: { number: '198.51.100.7', count: '9', attacks: '3', as: '64500', asname: 'EXAMPLE-AS', ascountry: 'NL', network: '198.51.100.0/24' } }));
  assert.equal(parsed.attacks, 3);
  assert.equal(parsed.asName, 'EXAMPLE-AS');
  assert.equal(parsed.asCountry, 'NL');
});

test('SPUR: tunnels, organisation and proxies come from the details; an older answer is parsed', () => {
  const details = { provider: 'spur' as const, organization: 'Proton AG', asOrganization: 'M247', asn: 9009, country: 'CH', infrastructure: 'DATACENTER', risks: ['TUNNEL'], proxies: [], tunnels: [{ type: 'VPN', operator: 'PROTON_VPN', anonymous: true }] };
  assert.deepEqual(spurDetails(report('spur', {}, details)), details);
  const parsed = spurDetails(report('spur', { as: { number: 9009, organization: 'M247' }, organization: 'Proton AG', location: { country: 'CH' }, risks: ['TUNNEL'], tunnels: [{ type: 'VPN', operator: 'PROTON_VPN', anonymous: true }] }));
  assert.equal(parsed.organization, 'Proton AG');
  assert.equal(parsed.asn, 9009);
  assert.equal(parsed.country, 'CH');
  assert.equal(parsed.tunnels[0]?.operator, 'PROTON_VPN');
});
