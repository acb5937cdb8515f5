import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Indicator, IndicatorError, parseIndicator, sha256Hex, tryParseIndicator, vtUrlId } from './index.js';

type Expect = Partial<Indicator> & { kind: Indicator['kind']; value: string };

const ACCEPTED: ReadonlyArray<readonly [string, Expect]> = [
  ['44d88612fea8a8f36de82e1278abb02f', { kind: 'file', value: '44d88612fea8a8f36de82e1278abb02f', hashType: 'md5' }],
  ['  44D88612FEA8A8F36DE82E1278ABB02F\n', { kind: 'file', value: '44d88612fea8a8f36de82e1278abb02f', hashType: 'md5' }],
  ['3395856CE81F2B7382DEE72602F798B642F14140', { kind: 'file', value: '3395856ce81f2b7382dee72602f798b642f14140', hashType: 'sha1' }],
  [
    '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
    { kind: 'file', value: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f', hashType: 'sha256' },
  ],
  ['http://www.virustotal.com', { kind: 'url', value: 'http://www.virustotal.com/' }],
  ['HTTP://Evil.COM/Path?Q=A#Frag', { kind: 'url', value: 'http://evil.com/Path?Q=A#Frag' }],
  ['https://evil.com:443/a', { kind: 'url', value: 'https://evil.com/a' }],
  ['http://evil.com:80', { kind: 'url', value: 'http://evil.com/' }],
  ['http://evil.com:8080/a/../b', { kind: 'url', value: 'http://evil.com:8080/a/../b' }],
  ['ftp://files.example.org:21/pub', { kind: 'url', value: 'ftp://files.example.org/pub' }],
  ['http://evil.com?x=1', { kind: 'url', value: 'http://evil.com/?x=1' }],
  ['http://user:pw@Example.com/x', { kind: 'url', value: 'http://user:pw@example.com/x' }],
  ['http://bücher.de/straße', { kind: 'url', value: 'http://xn--bcher-kva.de/straße' }],
  ['http://[2606:4700:0:0:0:0:0:1111]:8080/x', { kind: 'url', value: 'http://[2606:4700::1111]:8080/x' }],
  ['http://intranet/x', { kind: 'url', value: 'http://intranet/x' }],
  ['evil.com/payload.exe', { kind: 'url', value: 'http://evil.com/payload.exe' }],
  ['evil.com:8080/p', { kind: 'url', value: 'http://evil.com:8080/p' }],
  ['54.37.72.170/n3', { kind: 'url', value: 'http://54.37.72.170/n3' }],
  ['54.37.72.170:8080/n3', { kind: 'url', value: 'http://54.37.72.170:8080/n3' }],
  ['hxxp://evil[.]com/x', { kind: 'url', value: 'http://evil.com/x' }],
  ['hXXps[:]//evil[dot]com/x', { kind: 'url', value: 'https://evil.com/x' }],
  ['fxp://files(.)example(.)org/', { kind: 'url', value: 'ftp://files.example.org/' }],
  ['Example.COM', { kind: 'domain', value: 'example.com' }],
  ['www.example.com.', { kind: 'domain', value: 'www.example.com' }],
  ['Bücher.DE', { kind: 'domain', value: 'xn--bcher-kva.de' }],
  ['例え.テスト', { kind: 'domain', value: 'xn--r8jz45g.xn--zckzah' }],
  ['_dmarc.example.com', { kind: 'domain', value: '_dmarc.example.com' }],
  ['evil[.]co[.]uk', { kind: 'domain', value: 'evil.co.uk' }],
  ['8.8.8.8', { kind: 'ip', value: '8.8.8.8' }],
  ['138.128.150.133', { kind: 'ip', value: '138.128.150.133' }],
  ['8[.]8[.]4[.]4', { kind: 'ip', value: '8.8.4.4' }],
  ['2606:4700:0000:0000:0000:0000:0000:1111', { kind: 'ip', value: '2606:4700::1111' }],
  ['[2001:4860:4860::8888]', { kind: 'ip', value: '2001:4860:4860::8888' }],
  ['2001:4860:0:0:1:0:0:1', { kind: 'ip', value: '2001:4860::1:0:0:1' }],
  ['2001:4860:1:0:0:1:0:0', { kind: 'ip', value: '2001:4860:1::1:0:0' }],
  ['2001:4860:1:2:3:4:0:1', { kind: 'ip', value: '2001:4860:1:2:3:4:0:1' }],
  ['::ffff:8.8.8.8', { kind: 'ip', value: '::ffff:8.8.8.8' }],
  ['::FFFF:808:808', { kind: 'ip', value: '::ffff:8.8.8.8' }],
];

for (const [input, expected] of ACCEPTED) {
  test(`parseIndicator accepts ${JSON.stringify(input)} as ${expected.kind} ${expected.value}`, () => {
    const got = parseIndicator(input);
    assert.equal(got.kind, expected.kind);
    assert.equal(got.value, expected.value);
    if (expected.hashType) assert.equal(got.hashType, expected.hashType);
    if (got.kind === 'url') {
      assert.equal(got.id, sha256Hex(got.value));
      assert.equal(got.vtUrlId, vtUrlId(got.value));
      assert.equal(Buffer.from(got.vtUrlId as string, 'base64url').toString('utf8'), got.value);
    } else {
      assert.equal(got.id, got.value);
      assert.equal(got.vtUrlId, undefined);
    }
    if (got.kind !== 'file') assert.equal(got.hashType, undefined);
  });
}

const UNKNOWN = 'not a hash, URL, domain or IP';
const PRIVATE = 'private IP address';

const REFUSED: ReadonlyArray<readonly [string, string]> = [
  ['', 'empty input'],
  ['   \t\n', 'empty input'],
  ['foo bar', UNKNOWN],
  ['localhost', UNKNOWN],
  ['hello', UNKNOWN],
  ['44d88612fea8a8f36de82e1278abb02', UNKNOWN], // 31 hex digits
  ['44d88612fea8a8f36de82e1278abb02g', UNKNOWN],
  ['010.1.1.1', UNKNOWN], // octal or decimal? refused as ambiguous
  ['1.2.3.256', UNKNOWN],
  ['1.2.3', UNKNOWN],
  ['1.2.3.4.5', UNKNOWN],
  ['2001:db8::1::2', UNKNOWN],
  ['fe80::1%eth0', UNKNOWN],
  ['12345:1::', UNKNOWN],
  ['example', UNKNOWN],
  ['-bad.com', UNKNOWN],
  ['bad-.com', UNKNOWN],
  ['a..com', UNKNOWN],
  ['example.c', UNKNOWN],
  ['example.123', UNKNOWN],
  [`${'a'.repeat(64)}.com`, UNKNOWN],
  ['mailto:a@example.com', UNKNOWN],
  ['javascript://alert(1)', UNKNOWN],
  ['file:///etc/passwd', UNKNOWN],
  ['http://', UNKNOWN],
  ['http:///path', UNKNOWN],
  ['http://evil.com:99999/', UNKNOWN],
  ['http://evil.com:8x/', UNKNOWN],
  ['http://evil.com/a b', UNKNOWN],
  ['http://0x7f.1/', UNKNOWN],
  ['http://2130706433/', UNKNOWN],
  ['http://010.0.0.1/', UNKNOWN],
  ['http://[2001:db8::1/', UNKNOWN],
  ['user@evil.com/x', UNKNOWN],
  ['192.168.1.1', PRIVATE],
  ['10.0.0.1', PRIVATE],
  ['127.0.0.1', PRIVATE],
  ['169.254.169.254', PRIVATE],
  ['100.64.0.1', PRIVATE],
  ['0.0.0.0', PRIVATE],
  ['255.255.255.255', PRIVATE],
  ['::1', PRIVATE],
  ['[::1]', PRIVATE],
  ['fd00::1', PRIVATE],
  ['fe80::1', PRIVATE],
  ['::ffff:10.0.0.1', PRIVATE],
  ['http://127.0.0.1:8080/admin', PRIVATE],
  ['http://169.254.169.254/latest/meta-data/', PRIVATE],
  ['http://[::1]/', PRIVATE],
  ['http://localhost/x', PRIVATE],
  ['http://api.localhost/x', PRIVATE],
  ['192.168.0.1/admin', PRIVATE],
  ['hxxp://10[.]0[.]0[.]1/x', PRIVATE],
];

for (const [input, reason] of REFUSED) {
  test(`parseIndicator refuses ${JSON.stringify(input)}: ${reason}`, () => {
    assert.throws(
      () => parseIndicator(input),
      (err: unknown) => {
        assert.ok(err instanceof IndicatorError);
        assert.equal(err.reason, reason);
        assert.equal(err.input, input);
        assert.equal(err.message, `${JSON.stringify(input.trim())}: ${reason}`);
        return true;
      },
    );
  });
}

test('the error message quotes the input, like "foo bar": not a hash, URL, domain or IP', () => {
  assert.deepEqual(tryParseIndicator('foo bar'), { ok: false, error: '"foo bar": not a hash, URL, domain or IP' });
  const long = tryParseIndicator(`x${' y'.repeat(500)}`);
  assert.equal(long.ok, false);
  assert.ok(!long.ok && long.error.length < 140, 'long inputs are shortened in the message');
});

test('allowPrivate accepts private IPs and URLs on them', () => {
  assert.equal(parseIndicator('192.168.1.1', { allowPrivate: true }).value, '192.168.1.1');
  assert.equal(parseIndicator('::1', { allowPrivate: true }).value, '::1');
  assert.equal(parseIndicator('http://127.0.0.1:8080/x', { allowPrivate: true }).value, 'http://127.0.0.1:8080/x');
  assert.equal(parseIndicator('http://localhost/', { allowPrivate: true }).value, 'http://localhost/');
});

test('kind forces one reading', () => {
  assert.equal(parseIndicator('evil.com', { kind: 'url' }).value, 'http://evil.com/');
  assert.equal(parseIndicator('8.8.8.8', { kind: 'url' }).value, 'http://8.8.8.8/');
  assert.equal(parseIndicator('2606:4700::1111', { kind: 'url' }).value, 'http://[2606:4700::1111]/');
  assert.equal(parseIndicator('evil.com', { kind: 'domain' }).kind, 'domain');
  const cases: ReadonlyArray<readonly [string, Indicator['kind'], string]> = [
    ['evil.com', 'file', 'not a hash (md5, sha1 or sha256)'],
    ['44d88612fea8a8f36de82e1278abb02f', 'url', 'not a URL'],
    ['http://evil.com/', 'domain', 'not a domain'],
    ['evil.com', 'ip', 'not an IP address'],
    ['8.8.8.8', 'domain', 'not a domain'],
  ];
  for (const [input, kind, reason] of cases) {
    const r = tryParseIndicator(input, { kind });
    assert.equal(r.ok, false, `${input} as ${kind}`);
    assert.ok(!r.ok && r.error.endsWith(reason), `${input} as ${kind}: ${!r.ok && r.error}`);
  }
  assert.equal(tryParseIndicator('10.0.0.1', { kind: 'ip' }).ok, false);
});

test('vtUrlId matches the vt-api.md example and is unpadded base64url', () => {
  assert.equal(vtUrlId('http://www.virustotal.com'), 'aHR0cDovL3d3dy52aXJ1c3RvdGFsLmNvbQ');
  for (const url of ['http://a.com/?>>>', 'http://a.com/~~~?', 'https://example.com/ü']) {
    const id = vtUrlId(url);
    assert.match(id, /^[A-Za-z0-9_-]+$/);
    assert.equal(Buffer.from(id, 'base64url').toString('utf8'), url);
  }
});

test('the URL id of a plain URL is the sha256 VirusTotal returns for it (fixture url-object.json)', () => {
  const ind = parseIndicator('http://soclosebutyetqq.com/69.exe');
  assert.equal(ind.id, '7d83e9f686ff0122ded311f27aababf6922800a45a23a4dacc860b56ccada4cb');
  assert.equal(parseIndicator('https://www.irctc.co.in/').id, '9337405ca21d71c5db26b9982aea01707c95a925c8ef99f5a42e7dd29dc06f3d');
});

test('sha256Hex hashes the UTF-8 text', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
