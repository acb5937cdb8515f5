import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { extractIndicators, isPrivateAddress } from './index.js';
import { sharedPath, skipWithoutShared } from '../test-support/shared-corpus.js';

const summary = (text: string, options?: { allowPrivate?: boolean }) =>
  extractIndicators(text, options).map((i) => `${i.kind} ${i.value}`);

test('finds every kind in a defanged threat report, in order of appearance, without duplicates', () => {
  const report = `Subject: Incident 4711
The dropper was fetched from hxxps://bad[.]example[.]org/dl/payload.exe (see also evil[.]com).
It beacons to 45[.]148[.]10[.]95 and 2a00:1450:4001:80b::200e. Contact bob.smith@phish-mail.net.
Hashes: 44D88612FEA8A8F36DE82E1278ABB02F, 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f.
Again: https://bad.example.org/dl/payload.exe, EVIL.com and 44d88612fea8a8f36de82e1278abb02f.`;
  assert.deepEqual(summary(report), [
    'url https://bad.example.org/dl/payload.exe',
    'domain evil.com',
    'ip 45.148.10.95',
    'ip 2a00:1450:4001:80b::200e',
    'domain phish-mail.net',
    'file 44d88612fea8a8f36de82e1278abb02f',
    'file 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
  ]);
});

test('hosts inside URLs are not repeated as domains or IPs, but do count elsewhere', () => {
  assert.deepEqual(summary('get http://evil.com/a and http://8.8.8.8/b'), ['url http://evil.com/a', 'url http://8.8.8.8/b']);
  assert.deepEqual(summary('http://evil.com/a then evil.com'), ['url http://evil.com/a', 'domain evil.com']);
});

test('file names and non-hosts are not domains', () => {
  const text =
    'attached report.pdf, setup.sh, run.py, invoice.docx, data.json, index.html, app.js, x.exe, lib.dll, ' +
    'notes.txt, photo.jpg, a.zip and /var/log/cowrie/cowrie.json; version 1.2.3.4.5, v2.0, e.g. this, 10:20:30, std::vector';
  assert.deepEqual(summary(text), []);
});

test('sentence punctuation and brackets around URLs are not part of them', () => {
  assert.deepEqual(summary('(see http://evil.com/a_(b)). Or "https://evil.com/x?y=1", or <http://evil.com/z>;'), [
    'url http://evil.com/a_(b)',
    'url https://evil.com/x?y=1',
    'url http://evil.com/z',
  ]);
});

test('bare host/path URLs, JSON-escaped URLs, host:port and CIDR blocks', () => {
  assert.deepEqual(summary('wget evil.com/bins/x86; {"url":"http:\\/\\/54.37.72.170\\/n3"}'), [
    'url http://evil.com/bins/x86',
    'url http://54.37.72.170/n3',
  ]);
  assert.deepEqual(summary('connect from 8.8.8.8:53, block 45.148.10.0/24'), ['ip 8.8.8.8', 'ip 45.148.10.0']);
});

test('IDN domains come out in punycode', () => {
  assert.deepEqual(summary('visit www.bücher.de now'), ['domain www.xn--bcher-kva.de']);
});

test('private addresses are skipped unless allowPrivate', () => {
  const text = 'from 10.0.0.5 and 192.168.1.1 to http://127.0.0.1:8080/x and ::1, then 8.8.8.8';
  assert.deepEqual(summary(text), ['ip 8.8.8.8']);
  assert.deepEqual(summary(text, { allowPrivate: true }), [
    'ip 10.0.0.5',
    'ip 192.168.1.1',
    'url http://127.0.0.1:8080/x',
    'ip ::1',
    'ip 8.8.8.8',
  ]);
});

test('a real Cowrie log: the one download URL and hash once each, no private IPs', { skip: skipWithoutShared('data/cowrie/kareiva__cowrie.json.2018-06-12') }, () => {
  const log = readFileSync(sharedPath('data/cowrie/kareiva__cowrie.json.2018-06-12') as string, 'utf8');
  const found = extractIndicators(log);
  const urls = found.filter((i) => i.kind === 'url').map((i) => i.value);
  assert.deepEqual(urls, ['http://54.37.72.170/n3']);
  const hashes = found.filter((i) => i.kind === 'file').map((i) => i.value);
  assert.ok(hashes.includes('3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866'));
  const ips = found.filter((i) => i.kind === 'ip');
  assert.ok(ips.length > 50, `attacker IPs found: ${ips.length}`);
  assert.ok(ips.every((i) => !isPrivateAddress(i.value)));
  const keys = found.map((i) => `${i.kind}:${i.id}`);
  assert.equal(new Set(keys).size, keys.length);
});

test('large hostile input is handled (no catastrophic backtracking)', () => {
  const junk = `${'a.'.repeat(20000)}1 ${'0:'.repeat(20000)} ${'a-'.repeat(20000)}.x ${'f'.repeat(50000)} http://${'x'.repeat(50000)}`;
  assert.deepEqual(summary(junk), []);
});

test('dotted words whose last part is not a real TLD are not domains', () => {
  const found = extractIndicators('event cowrie.session.connect via os.path.join, contact evil-site.top and login.microsoftonline.com');
  assert.deepEqual(
    found.map((i) => i.value),
    ['evil-site.top', 'login.microsoftonline.com'],
  );
});
