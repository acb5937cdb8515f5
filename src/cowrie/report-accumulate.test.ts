/**
 * The accumulator keeps references to its counter entries between sessions. These tests check its
 * counts against the plain way (a `bump` per counter and per key, in the same order), on generated
 * sessions that overflow small counter caps again and again, so that pruning happens between, and
 * inside, sessions that reuse cached entries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseCommand } from './commands.js';
import { BoundedCounter, ReportAccumulator } from './report-accumulate.js';
import type { CowrieSession } from './sessions.js';

/** A small deterministic generator (no Math.random: a failure must replay). */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function session(i: number, over: Partial<CowrieSession>): CowrieSession {
  return {
    session: `s${i}`,
    srcIp: `203.0.113.${i % 7}`,
    srcPort: null,
    dstIp: null,
    dstPort: null,
    protocol: 'ssh',
    sensor: null,
    startAt: 1_700_000_000_000 + i,
    endAt: 1_700_000_000_000 + i + 5,
    durationMs: 5,
    clientVersion: null,
    logins: [],
    commands: [],
    downloads: [],
    uploads: [],
    events: 1,
    closed: true,
    ...over,
  };
}

/** Sessions where a few values recur (cached) among many that come once (they fill the caps). */
function sessions(count: number, seed: number): CowrieSession[] {
  const r = rng(seed);
  const pick = (common: string[], rare: string) => (r() < 0.6 ? (common[Math.floor(r() * common.length)] as string) : rare);
  const out: CowrieSession[] = [];
  for (let i = 0; i < count; i++) {
    const logins = Array.from({ length: Math.floor(r() * 4) }, (_, k) => ({
      username: r() < 0.05 ? null : pick(['root', 'admin', 'a/b', 'a'], `user${i}-${k}`),
      password: r() < 0.1 ? null : pick(['123456', 'admin', 'b/c', 'c'], `pw${i}-${k}`),
      success: r() < 0.3,
      at: null,
    }));
    const commands = Array.from({ length: Math.floor(r() * 5) }, (_, k) =>
      pick(['uname -a', 'uname  -a ', '   ', `echo ${'QUJD'.repeat(12)}1 | base64 -d`, 'cat /proc/cpuinfo'], `echo ${i}-${k}`),
    );
    const fragment = r() < 0.05;
    const client = r();
    out.push(
      session(i, {
        logins: logins as CowrieSession['logins'],
        commands,
        ...(fragment ? { fragment } : {}),
        clientVersion: client < 0.3 ? null : pick(['SSH-2.0-Go', 'SSH-2.0-libssh'], `SSH-2.0-x${i}`),
        ...(client < 0.5 ? { hassh: pick(['h1', 'h2'], `h${i}`) } : {}),
        ...(r() < 0.3 ? { tunnels: [pick(['1.1.1.1:443', '8.8.8.8:53'], `10.0.0.${i}:80`)] } : {}),
      }),
    );
  }
  return out;
}

/** The plain way: every counter bumped by key for every login, command, client and tunnel. */
function plainCounts(list: CowrieSession[], cap: number) {
  const c = () => new BoundedCounter(() => ({ count: 0 }), cap);
  const counts = {
    usernames: c(),
    passwords: c(),
    pairs: c(),
    successPairs: c(),
    commands: new BoundedCounter(() => ({ count: 0, sessions: 0 }), cap),
    clients: new BoundedCounter(() => ({ count: 0 }), Math.min(cap, 10_000)),
    tunnelDestinations: c(),
  };
  for (const s of list) {
    for (const l of s.logins) {
      const user = l.username ?? '';
      counts.usernames.bump(user);
      if (l.password !== null) {
        counts.passwords.bump(l.password);
        counts.pairs.bump(`${user}/${l.password}`);
        if (l.success) counts.successPairs.bump(`${user}/${l.password}`);
      }
    }
    const seen = new Set<string>();
    for (const command of s.commands) {
      const key = normaliseCommand(command);
      if (key === '') continue;
      const row = counts.commands.entry(key);
      row.count++;
      if (!seen.has(key)) {
        seen.add(key);
        row.sessions++;
      }
    }
    if (!s.fragment && (s.clientVersion !== null || s.hassh !== undefined)) counts.clients.bump(JSON.stringify([s.clientVersion, s.hassh ?? null]));
    for (const dst of s.tunnels ?? []) counts.tunnelDestinations.bump(dst);
  }
  return counts;
}

for (const cap of [8, 40, 100_000]) {
  test(`counts with cached entries equal the plain bump-per-key counts (cap ${cap}, pruned ${cap < 100 ? 'often' : 'never'})`, () => {
    const list = sessions(3000, cap);
    const acc = new ReportAccumulator({ keepSessions: false, counterCap: cap });
    for (const s of list) acc.add(s);
    const plain = plainCounts(list, cap);
    for (const name of Object.keys(plain) as Array<keyof typeof plain>) {
      assert.deepEqual(acc[name].top(1_000_000), plain[name].top(1_000_000), name);
      if (cap < 100 && name !== 'clients' && name !== 'tunnelDestinations') assert.ok(acc[name].generation > 0, `${name} was pruned`);
    }
    assert.equal(acc.loginAttempts, list.reduce((n, s) => n + s.logins.length, 0));
    assert.equal(acc.commandsTotal, list.reduce((n, s) => n + s.commands.length, 0));
  });
}

test('a pair key is user/password as it always was: "a/b" with "c" and "a" with "b/c" count as one pair', () => {
  const list = sessions(2000, 7);
  const acc = new ReportAccumulator({ keepSessions: false });
  for (const s of list) acc.add(s);
  const ambiguous = list.flatMap((s) => s.logins).filter((l) => (l.username === 'a/b' && l.password === 'c') || (l.username === 'a' && l.password === 'b/c'));
  assert.ok(ambiguous.some((l) => l.username === 'a') && ambiguous.some((l) => l.username === 'a/b'));
  assert.equal(acc.pairs.top(1_000_000).find(([k]) => k === 'a/b/c')?.[1].count, ambiguous.length);
});

test('past the bound of cached entries (60,000 usernames, clients and commands that come once) the counts stay plain', () => {
  const list: CowrieSession[] = [];
  for (let i = 0; i < 60_000; i++) {
    const recurring = i % 3 === 0;
    list.push(
      session(i, {
        logins: [{ username: recurring ? 'root' : `u${i}`, password: recurring ? 'root' : 'x', success: i % 2 === 0 } as CowrieSession['logins'][number]],
        commands: [recurring ? 'uname -a' : `echo ${i}`],
        clientVersion: recurring ? 'SSH-2.0-Go' : `SSH-2.0-${i}`,
      }),
    );
  }
  const acc = new ReportAccumulator({ keepSessions: false });
  for (const s of list) acc.add(s);
  const plain = plainCounts(list, 100_000);
  for (const name of ['usernames', 'passwords', 'pairs', 'successPairs', 'commands', 'clients'] as const) {
    assert.deepEqual(acc[name].top(20), plain[name].top(20), name);
    assert.equal(acc[name].size, plain[name].size, name);
  }
});
