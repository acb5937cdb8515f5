/**
 * Folds sessions into the report's counts one at a time, so a run keeps counts rather than sessions:
 * totals, per-attacker counts, credentials, commands, SSH clients, direct-tcpip abuse, and which
 * addresses brought each file. Counters of attacker-chosen strings (passwords, commands) are bounded:
 * past their cap the rarest half is dropped, which keeps every frequent value and its count.
 */
import { normaliseCommand } from './commands.js';
import { type ExtractOptions, sessionHashIds } from './extract.js';
import type { CowrieDownload, CowrieLogin, CowrieSession } from './sessions.js';

/** A string counter that never holds more than `cap` keys (the rarest half goes when it is full). */
export class BoundedCounter<V extends { count: number }> {
  readonly #map = new Map<string, V>();
  readonly #cap: number;
  readonly #make: () => V;
  readonly #prunes: { count: number };

  /** `prunes` (optional) is counted up by every prune; counters may share one (see `generation`). */
  constructor(make: () => V, cap = 100_000, prunes: { count: number } = { count: 0 }) {
    this.#make = make;
    this.#cap = cap;
    this.#prunes = prunes;
  }

  /**
   * Changes with every prune (of this counter, or of one sharing its count). An entry obtained while
   * `generation` was g is still this counter's entry for its key as long as `generation` is still g:
   * callers may keep it and bump it directly.
   */
  get generation(): number {
    return this.#prunes.count;
  }

  /** The entry for `key`, created when new (its count is the caller's to bump). */
  entry(key: string): V {
    let v = this.#map.get(key);
    if (!v) {
      if (this.#map.size >= this.#cap) this.#prune();
      v = this.#make();
      this.#map.set(key, v);
    }
    return v;
  }

  bump(key: string, by = 1): void {
    this.entry(key).count += by;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The `n` most frequent, ties by key. */
  top(n: number): Array<[string, V]> {
    return [...this.#map.entries()].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, n);
  }

  #prune(): void {
    this.#prunes.count++;
    const counts = [...this.#map.values()].map((v) => v.count).sort((a, b) => a - b);
    const median = counts[Math.floor(counts.length / 2)] ?? 0;
    for (const [k, v] of this.#map) if (v.count <= median) this.#map.delete(k);
  }
}

/** The counter entries one (username, password) pair bumps, valid while the accumulator's prune count is `gen`. */
interface LoginRefs {
  gen: number;
  user: Count;
  password: Count | undefined;
  pair: Count | undefined;
  /** Looked up on the pair's first success. */
  success: Count | undefined;
}

/** A command's normalised key and its counter entry (undefined for a command that normalises to nothing). */
interface CommandRef {
  gen: number;
  key: string;
  row: { count: number; sessions: number } | undefined;
}

/** How many cached references an accumulator keeps per kind before starting afresh. */
const MAX_REFS = 50_000;
/** Fewer for commands: their lines can be long. */
const MAX_COMMAND_REFS = 20_000;

/** Values by two keys, one lookup each; past `max` values it starts afresh. */
class PairCache<A, B, V> {
  #outer = new Map<A, Map<B, V>>();
  #size = 0;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get(a: A, b: B): V | undefined {
    return this.#outer.get(a)?.get(b);
  }

  set(a: A, b: B, value: V): void {
    let inner = this.#outer.get(a);
    if (!inner) {
      if (this.#size >= this.#max) {
        this.#outer = new Map();
        this.#size = 0;
      }
      inner = new Map();
      this.#outer.set(a, inner);
    }
    if (!inner.has(b)) this.#size++;
    inner.set(b, value);
  }
}

/** Source addresses kept per file hash. */
const MAX_SOURCE_IPS = 50;

const counter = (cap: number, prunes: { count: number }) => new BoundedCounter<Count>(() => ({ count: 0 }), cap, prunes);

type Count = { count: number };

export interface IpCounts {
  loginSuccesses: number;
  commands: number;
  downloads: number;
}

export class ReportAccumulator {
  from: number | null = null;
  to: number | null = null;
  sessions = 0;
  closedSessions = 0;
  idleClosedSessions = 0;
  events = 0;
  commandsTotal = 0;
  downloads = 0;
  uploads = 0;
  loginAttempts = 0;
  loginSuccesses = 0;
  tunnelRequests = 0;
  tunnelSessions = 0;
  readonly ips = new Map<string, IpCounts>();
  readonly usernames: BoundedCounter<Count>;
  readonly passwords: BoundedCounter<Count>;
  readonly pairs: BoundedCounter<Count>;
  readonly successPairs: BoundedCounter<Count>;
  readonly commands: BoundedCounter<{ count: number; sessions: number }>;
  readonly clients: BoundedCounter<Count>;
  readonly tunnelDestinations: BoundedCounter<Count>;
  /** File hash -> the attacker addresses that brought it. */
  readonly hashSources = new Map<string, Set<string>>();
  /** The sessions themselves, when the caller wants per-session records. */
  readonly kept: CowrieSession[] | undefined;
  /**
   * Cached counter entries, so a recurring value costs one lookup (by the strings the session
   * carries) instead of a lookup per counter and a key to build. Bounded; dropped when full.
   */
  readonly #logins = new PairCache<string, string | null, LoginRefs>(MAX_REFS);
  readonly #clients = new PairCache<string | null, string | null, { gen: number; row: Count }>(MAX_REFS);
  #commandRows = new Map<string, CommandRef>();
  /** Prunes of all the counters: cached entries are valid while it is unchanged. */
  readonly #prunes = { count: 0 };
  /** Commands seen in the current session (reused). */
  readonly #seen = new Set<string>();

  /**
   * `counterCap`: keys kept per counter of attacker-chosen strings (default 100,000; SSH clients at
   * most 10,000). `extract` is accepted for the callers' sake: a session's file hashes do not depend on it.
   */
  constructor(options: { keepSessions?: boolean; extract?: ExtractOptions; counterCap?: number } = {}) {
    this.kept = options.keepSessions === false ? undefined : [];
    const cap = options.counterCap ?? 100_000;
    // One prune count for all: a cached entry is checked with one comparison.
    const prunes = this.#prunes;
    this.usernames = counter(cap, prunes);
    this.passwords = counter(cap, prunes);
    this.pairs = counter(cap, prunes);
    this.successPairs = counter(cap, prunes);
    this.commands = new BoundedCounter(() => ({ count: 0, sessions: 0 }), cap, prunes);
    this.clients = counter(Math.min(cap, 10_000), prunes);
    this.tunnelDestinations = counter(cap, prunes);
  }

  add(s: CowrieSession): void {
    this.kept?.push(s);
    // Each property read once, indexed loops: this runs for every session of the log.
    const fragment = s.fragment === true;
    if (!fragment) {
      this.sessions++;
      if (s.closed) this.closedSessions++;
      if (s.idleClosed) this.idleClosedSessions++;
    }
    this.events += s.events;
    const commands = s.commands;
    const downloadList = s.downloads;
    const uploads = s.uploads.length;
    this.commandsTotal += commands.length;
    let downloads = 0;
    for (let i = 0; i < downloadList.length; i++) if (!(downloadList[i] as CowrieDownload).failed) downloads++;
    this.downloads += downloads;
    this.uploads += uploads;
    const startAt = s.startAt;
    const endAt = s.endAt;
    if (startAt !== null && (this.from === null || startAt < this.from)) this.from = startAt;
    if (endAt !== null && (this.to === null || endAt > this.to)) this.to = endAt;
    const loginList = s.logins;
    let logins = 0;
    for (let i = 0; i < loginList.length; i++) {
      const l = loginList[i] as CowrieLogin;
      const success = l.success;
      const refs = this.#loginRefsOf(l.username ?? '', l.password, success);
      refs.user.count++;
      if (refs.password) refs.password.count++;
      if (refs.pair) refs.pair.count++;
      if (success) {
        logins++;
        if (refs.success) refs.success.count++;
      }
    }
    this.loginAttempts += loginList.length;
    this.loginSuccesses += logins;
    const srcIp = s.srcIp;
    if (srcIp) {
      let row = this.ips.get(srcIp);
      if (!row) {
        row = { loginSuccesses: 0, commands: 0, downloads: 0 };
        this.ips.set(srcIp, row);
      }
      row.loginSuccesses += logins;
      row.commands += commands.length;
      row.downloads += downloads + uploads;
    }
    if (commands.length === 1) {
      const row = this.#commandRow(commands[0] as string).row;
      if (row) {
        row.count++;
        row.sessions++;
      }
    } else if (commands.length > 1) {
      const seen = this.#seen;
      seen.clear();
      for (let i = 0; i < commands.length; i++) {
        const { key, row } = this.#commandRow(commands[i] as string);
        if (!row) continue;
        row.count++;
        if (!seen.has(key)) {
          seen.add(key);
          row.sessions++;
        }
      }
    }
    if (!fragment) {
      const version = s.clientVersion;
      const hassh = s.hassh;
      if (version !== null || hassh !== undefined) this.#clientRow(version, hassh ?? null).count++;
    }
    const tunnels = s.tunnels;
    if (tunnels && tunnels.length > 0) {
      this.tunnelRequests += tunnels.length;
      this.tunnelSessions++;
      for (let i = 0; i < tunnels.length; i++) this.tunnelDestinations.bump(tunnels[i] as string);
    }
    if (srcIp && (downloadList.length > 0 || uploads > 0)) {
      for (const id of sessionHashIds(s)) {
        let set = this.hashSources.get(id);
        if (!set) {
          set = new Set();
          this.hashSources.set(id, set);
        }
        if (set.size < MAX_SOURCE_IPS) set.add(srcIp);
      }
    }
  }

  /**
   * The entries a login bumps, cached per (username, password). Looked up again (in the order the
   * counters were always bumped) when any of these counters pruned since, so each is still its key's.
   */
  #loginRefsOf(user: string, password: string | null, success: boolean): LoginRefs {
    let refs = this.#logins.get(user, password);
    if (!refs || refs.gen !== this.#prunes.count) {
      const pair = password === null ? undefined : `${user}/${password}`;
      refs = {
        gen: 0,
        user: this.usernames.entry(user),
        password: password === null ? undefined : this.passwords.entry(password),
        pair: pair === undefined ? undefined : this.pairs.entry(pair),
        success: undefined,
      };
      this.#logins.set(user, password, refs);
      refs.gen = this.#prunes.count;
    }
    if (success && !refs.success && password !== null) {
      refs.success = this.successPairs.entry(`${user}/${password}`);
      refs.gen = this.#prunes.count;
    }
    return refs;
  }

  /** The client counter's entry for (version, hassh) (its key is `JSON.stringify([version, hassh])`), cached. */
  #clientRow(version: string | null, hassh: string | null): Count {
    const hit = this.#clients.get(version, hassh);
    if (hit && hit.gen === this.#prunes.count) return hit.row;
    const row = this.clients.entry(JSON.stringify([version, hassh]));
    this.#clients.set(version, hassh, { gen: this.#prunes.count, row });
    return row;
  }

  /** A command's normalised key and counter entry, cached by the raw command line (bots repeat the same lines). */
  #commandRow(command: string): CommandRef {
    let hit = this.#commandRows.get(command);
    if (hit && hit.gen === this.#prunes.count) return hit;
    const key = normaliseCommand(command);
    const row = key === '' ? undefined : this.commands.entry(key);
    if (!hit && this.#commandRows.size >= MAX_COMMAND_REFS) this.#commandRows = new Map();
    hit = { gen: this.#prunes.count, key, row };
    this.#commandRows.set(command, hit);
    return hit;
  }
}
