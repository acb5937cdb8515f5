import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrivateAddress } from './index.js';
import { parseIPv4 } from './ip.js';

const PRIVATE = [
  '10.0.0.0',
  '10.255.255.255',
  '172.16.0.1',
  '172.31.255.254',
  '192.168.1.1',
  '127.0.0.1',
  '127.255.255.254',
  '169.254.0.1',
  '169.254.169.254', // cloud metadata
  '100.64.0.1',
  '100.127.255.254',
  '0.0.0.0',
  '0.1.2.3',
  '192.0.0.8',
  '192.0.2.55', // TEST-NET-1
  '198.51.100.7', // TEST-NET-2
  '203.0.113.9', // TEST-NET-3
  '198.18.0.1',
  '198.19.255.255',
  '224.0.0.1',
  '239.255.255.250',
  '240.0.0.1',
  '255.255.255.255',
  '::',
  '::1',
  '[::1]',
  'fc00::1',
  'fd12:3456:789a::1',
  'fe80::1',
  'febf::1',
  'ff02::1',
  '::ffff:127.0.0.1',
  '::ffff:192.168.0.1',
  '::ffff:a9fe:a9fe', // ::ffff:169.254.169.254
  '64:ff9b::10.0.0.1',
  '2002:c0a8:0101::1', // 6to4 of 192.168.1.1
  '2001:db8::1',
  '2001:0DB8:85A3::8A2E:0370:7334',
  '3fff::1',
  '100::1',
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '138.128.150.133',
  '172.15.255.255',
  '172.32.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '169.253.255.255',
  '192.169.0.1',
  '198.20.0.1',
  '223.255.255.255',
  '11.0.0.1',
  '2001:4860:4860::8888',
  '2606:4700::1111',
  '::ffff:8.8.8.8',
  '64:ff9b::8.8.8.8',
  '2002:0808:0808::1', // 6to4 of 8.8.8.8
  '2a00:1450:4001:80b::200e',
];

for (const ip of PRIVATE) test(`${ip} is private or reserved`, () => assert.equal(isPrivateAddress(ip), true));
for (const ip of PUBLIC) test(`${ip} is public`, () => assert.equal(isPrivateAddress(ip), false));

test('text that is not an IP is not a private address', () => {
  for (const text of ['', 'localhost', '010.0.0.1', '10.0.0', 'example.com', '::g']) {
    assert.equal(isPrivateAddress(text), false, text);
  }
});

test('parseIPv4 takes strict dotted quads only, as the pattern /^(0|[1-9]\\d{0,2})$/ per part, each at most 255', () => {
  const byPattern = (text: string): number[] | undefined => {
    const parts = text.split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.map(Number);
  };
  const cases = ['1.2.3.4', '0.0.0.0', '255.255.255.255', '256.1.1.1', '1.2.3.256', '01.2.3.4', '1.2.3.00', '1.2.3.0', '1000.1.1.1', '1.2.3', '1.2.3.4.5', '1.2.3.4.', '.1.2.3.4', '1..2.3', '', '.', '...', '1.2.3.-4', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.٣', '1.2.3.a', '10.20.30.40', '9.99.199.249'];
  for (const text of cases) assert.deepEqual(parseIPv4(text), byPattern(text), text);
  assert.deepEqual(parseIPv4('192.168.0.10'), [192, 168, 0, 10]);
});
