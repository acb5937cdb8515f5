/**
 * The report's operator parts (top commands, clients, proxy abuse, which addresses brought each file,
 * passwords per session, network owner and tunnel, permalinks) on the shared real logs, each checked
 * against counts this test computes itself with a plain JSON.parse loop, not with the code under test.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedPath, skipWithoutShared } from '../test-support/shared-corpus.js';
import type { Report } from '../providers/types.js';
import { IndicatorCollector } from './extract.js';
import { toCsv, toSummaryText, CSV_HEADER } from './format.js';
import { readCowrieLogs } from './reader.js';
import { buildCowrieReport, type ProviderResults } from './report.js';
import { buildSessions, type CowrieSession } from './sessions.js';

const LOGS = 'data/cowrie';
const skip = skipWithoutShared(LOGS);

type Ev = Record<string, unknown> & { eventid: string; session?: string };

/** Every event of the shared logs, by a plain loop. */
function events(): Ev[] {
  const dir = sharedPath(LOGS) as string;
  const out: Ev[] = [];
  for (const name of readdirSync(dir).sort()) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) if (line.trim()) out.push(JSON.parse(line) as Ev);
  }
  return out;
}

async function report(results: ProviderResults = new Map(), seenBefore?: (key: string) => boolean) {
  const dir = sharedPath(LOGS) as string;
  const sessions: CowrieSession[] = [];
  const collector = new IndicatorCollector();
  for await (const s of buildSessions(readCowrieLogs([dir], { fields: 'report' }))) {
    sessions.push(s);
    collector.add(s);
  }
  return buildCowrieReport({ sessions, indicators: collector.list(), results, top: 100_000, ...(seenBefore ? { seenBefore } : {}) });
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

test('commands: the total and the most frequent, counted and per session, match a plain count', { skip }, async () => {
  const r = await report();
  // Cowrie's rule: command.input; legacy command.success only for a session that logged no input.
  const inputs = new Map<string, string[]>();
  const legacy = new Map<string, string[]>();
  for (const e of events()) {
    const input = str(e.input);
    if (!e.session || input === undefined) continue;
    const into = e.eventid === 'cowrie.command.input' ? inputs : e.eventid === 'cowrie.command.success' ? legacy : undefined;
    if (!into) continue;
    into.set(e.session, [...(into.get(e.session) ?? []), input]);
  }
  for (const [s, list] of legacy) if (!inputs.has(s)) inputs.set(s, list);
  const all = [...inputs.values()].flat();
  assert.equal(r.commands.total, all.length);
  assert.equal(r.totals.commands, all.length);
  // Commands without blobs: whitespace collapsing is the only change.
  const count = new Map<string, { count: number; sessions: Set<string> }>();
  for (const [s, list] of inputs) {
    for (const c of list) {
      const key = c.replace(/\s+/g, ' ').trim();
      const row = count.get(key) ?? { count: 0, sessions: new Set() };
      row.count++;
      row.sessions.add(s);
      count.set(key, row);
    }
  }
  const plain = r.commands.top.filter((c) => !/<(base64|hex):\d+ chars>/.test(c.command));
  assert.ok(plain.length > 10);
  for (const c of plain) {
    assert.equal(c.count, count.get(c.command)?.count, c.command);
    assert.equal(c.sessions, count.get(c.command)?.sessions.size, c.command);
  }
  const max = Math.max(...[...count.values()].map((v) => v.count));
  assert.equal(r.commands.top[0]?.count, max);
  assert.equal(r.commands.top.reduce((n, c) => n + c.count, 0), all.filter((c) => c.trim() !== '').length);
});

test('hashes: sourceIps are the addresses whose sessions downloaded or uploaded each hash; permalinks are VirusTotal GUI links', { skip }, async () => {
  const r = await report();
  const ipOf = new Map<string, string>();
  for (const e of events()) if (e.session && e.eventid === 'cowrie.session.connect') ipOf.set(e.session, str(e.src_ip) ?? '');
  const sources = new Map<string, Set<string>>();
  for (const e of events()) {
    if (e.eventid !== 'cowrie.session.file_download' && e.eventid !== 'cowrie.session.file_upload') continue;
    const sha = str(e.shasum)?.toLowerCase();
    if (!sha || !/^[0-9a-f]{64}$/.test(sha) || sha.startsWith('e3b0c442')) continue;
    const set = sources.get(sha) ?? new Set();
    set.add(ipOf.get(e.session as string) ?? str(e.src_ip) ?? '');
    sources.set(sha, set);
  }
  assert.equal(r.hashes.length, sources.size);
  for (const h of r.hashes) {
    assert.deepEqual(new Set(h.sourceIps), sources.get(h.sha256), h.sha256);
    assert.equal(h.permalink, `https://www.virustotal.com/gui/file/${h.sha256}`);
    assert.equal(h.firstSubmissionAt, null, 'nothing looked up');
    assert.equal(h.newSinceLastRun, null, 'no state file');
  }
  assert.deepEqual(
    r.hashes.find((h) => h.sha256 === '3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866')?.sourceIps.length,
    sources.get('3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866')?.size,
  );
  for (const u of r.urls) assert.equal(u.permalink, `https://www.virustotal.com/gui/url/${u.id}`);
  // The URL id is the SHA-256 of the URL, as VirusTotal's GUI wants it.
  const { createHash } = await import('node:crypto');
  const n3 = r.urls.find((u) => u.url === 'http://54.37.72.170/n3');
  assert.equal(n3?.permalink, `https://www.virustotal.com/gui/url/${createHash('sha256').update('http://54.37.72.170/n3').digest('hex')}`);
});

test('clients and proxy abuse match a plain count of client.version/kex and direct-tcpip.request events', { skip }, async () => {
  const r = await report();
  const version = new Map<string, string>();
  const hassh = new Map<string, string>();
  const closed = new Set<string>();
  let requests = 0;
  const tunnelSessions = new Set<string>();
  const dst = new Map<string, number>();
  for (const e of events()) {
    const s = e.session as string;
    if (e.eventid === 'cowrie.client.version' && str(e.version)) version.set(s, str(e.version) as string);
    if (e.eventid === 'cowrie.client.kex' && str(e.hassh)) hassh.set(s, str(e.hassh) as string);
    if (e.eventid === 'cowrie.session.closed') closed.add(s);
    if (e.eventid === 'cowrie.direct-tcpip.request') {
      requests++;
      tunnelSessions.add(s);
      const host = String(e.dst_ip);
      const key = `${host.includes(':') ? `[${host}]` : host}:${e.dst_port}`;
      dst.set(key, (dst.get(key) ?? 0) + 1);
    }
  }
  const pairs = new Map<string, number>();
  for (const s of new Set([...version.keys(), ...hassh.keys()])) {
    const key = `${version.get(s) ?? null}|${hassh.get(s) ?? null}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  assert.equal(r.clients.length, pairs.size);
  for (const c of r.clients) assert.equal(c.sessions, pairs.get(`${c.version}|${c.hassh}`), `${c.version} ${c.hassh}`);
  assert.ok(r.clients.some((c) => c.hassh !== null) && r.clients.some((c) => c.hassh === null));

  assert.ok(requests > 100, 'the 2018 log has 102 requests');
  assert.equal(r.tunnels.requests, requests);
  assert.equal(r.tunnels.sessions, tunnelSessions.size);
  for (const d of r.tunnels.topDestinations) assert.equal(d.count, dst.get(d.dst), d.dst);
  assert.equal(r.tunnels.topDestinations[0]?.count, Math.max(...dst.values()));
});

test('per session: the passwords tried beside the usernames, as logged', { skip }, async () => {
  const r = await report();
  const passwords = new Map<string, Set<string>>();
  for (const e of events()) {
    if (e.eventid !== 'cowrie.login.success' && e.eventid !== 'cowrie.login.failed') continue;
    const set = passwords.get(e.session as string) ?? new Set();
    if (typeof e.password === 'string') set.add(e.password);
    passwords.set(e.session as string, set);
  }
  let checked = 0;
  for (const s of r.sessions) {
    if (s.loginAttempts === 0) continue;
    assert.deepEqual(new Set(s.passwords), passwords.get(s.session) ?? new Set(), s.session);
    checked++;
  }
  assert.ok(checked > 500);
});

test('attackers: AS, organisation and country from DShield, then SPUR, then VirusTotal; the SPUR tunnel apart', { skip: skipWithoutShared('data/api/spur/vpn_response__spur-rs.json') || skip }, async () => {
  const spurBody = JSON.parse(readFileSync(sharedPath('data/api/spur/vpn_response__spur-rs.json') as string, 'utf8')) as Record<string, unknown>;
  const dshieldBody = JSON.parse(readFileSync(sharedPath('data/api/dshield/ip_101.81.5.6__stix-shifter.json') as string, 'utf8')) as Record<string, unknown>;
  const base = await report();
  const [a, b, c] = base.topIps.map((x) => x.ip);
  const rep = (provider: Report['provider'], id: string, data: unknown): Report => ({
    provider,
    kind: 'ip',
    id,
    indicator: id,
    found: true,
    verdict: 'harmless',
    data,
    fetchedAt: 0,
  });
  const results: ProviderResults = new Map([
    // SPUR alone: its AS and country; its tunnel operator, never its organisation.
    [a as string, { spur: rep('spur', a as string, spurBody) }],
    // DShield and SPUR: DShield's AS wins, the tunnel still comes from SPUR.
    [b as string, { dshield: rep('dshield', b as string, dshieldBody), spur: rep('spur', b as string, spurBody) }],
    // VirusTotal's IP object as the fallback.
    [c as string, { virustotal: rep('virustotal', c as string, { attributes: { asn: 64500, as_owner: 'Example AS', country: 'DE' } }) }],
  ]);
  const r = await report(results);
  const row = (ip: string | undefined) => r.topIps.find((x) => x.ip === ip);
  assert.deepEqual(
    [row(a)?.asn, row(a)?.asOrg, row(a)?.country, row(a)?.tunnel],
    [(spurBody.as as { number: number }).number, 'WorldStream', 'NL', 'PROTON_VPN'],
  );
  assert.deepEqual([row(b)?.asn, row(b)?.asOrg, row(b)?.country, row(b)?.tunnel], [4812, 'CHINANET-SH-AP China Telecom Group', 'CN', 'PROTON_VPN']);
  assert.deepEqual([row(c)?.asn, row(c)?.asOrg, row(c)?.country, row(c)?.tunnel], [64500, 'Example AS', 'DE', null]);
  const text = toSummaryText(r);
  const line = text.split('\n').find((l) => l.startsWith(`  ${a} `)) ?? '';
  assert.match(line, /AS49981\s+WorldStream\s+NL\s+PROTON_VPN/);
  // CSV carries them too.
  const csv = toCsv(r).split('\r\n');
  const cols = CSV_HEADER;
  const rowA = (csv.find((l) => l.startsWith(`ip,${a},`)) ?? '').split(',');
  assert.equal(rowA[cols.indexOf('tunnel')], 'PROTON_VPN');
  assert.equal(rowA[cols.indexOf('asn')], '49981');
});

test('VirusTotal first submission and detections as malicious/total; newSinceLastRun from what earlier runs saw', { skip }, async () => {
  const sha = '3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866';
  const vt: Report = {
    provider: 'virustotal',
    kind: 'file',
    id: sha,
    indicator: sha,
    found: true,
    verdict: 'malicious',
    detections: 38,
    stats: { malicious: 38, suspicious: 0, harmless: 0, undetected: 24, timeout: 0, confirmedTimeout: 0, typeUnsupported: 0, failure: 0, engines: 62, total: 62 },
    firstSeenAt: Date.UTC(2018, 5, 1),
    data: {},
    fetchedAt: 0,
  };
  const r = await report(new Map([[sha, { virustotal: vt }]]), (key) => key === `file:${sha}`);
  const h = r.hashes.find((x) => x.sha256 === sha);
  assert.equal(h?.firstSubmissionAt, Date.UTC(2018, 5, 1));
  assert.equal(h?.newSinceLastRun, false);
  assert.ok(r.hashes.filter((x) => x.sha256 !== sha).every((x) => x.newSinceLastRun === true));
  assert.ok(r.urls.every((u) => u.newSinceLastRun === true));
  const line = toSummaryText(r).split('\n').find((l) => l.includes(sha)) ?? '';
  assert.match(line, /malicious\s+38\/62\s+2018-06-01/);
});

test('a dry run says "not looked up", never "0 malicious"', { skip }, async () => {
  const dir = sharedPath(LOGS) as string;
  const sessions: CowrieSession[] = [];
  const collector = new IndicatorCollector();
  for await (const s of buildSessions(readCowrieLogs([dir]))) {
    sessions.push(s);
    collector.add(s);
  }
  const r = buildCowrieReport({ sessions, indicators: collector.list(), results: new Map(), lookedUp: false });
  const text = toSummaryText(r);
  assert.doesNotMatch(text, /\b0 malicious/);
  assert.match(text, /File hashes \(\d+ unique, not looked up\)/);
  const line = text.split('\n').find((l) => l.includes('3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866')) ?? '';
  assert.match(line, /not looked up/);
});
