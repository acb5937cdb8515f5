/**
 * Folds sessions into the report's counts one at a time, so a run keeps counts rather than sessions:
 * totals, per-attacker counts, credentials, commands, SSH clients, direct-tcpip abuse, and which
 * addresses brought each file. Counters of attacker-chosen strings (passwords, commands) are bounded:
 * past their cap the rarest half is dropped, which keeps every frequent value and its count.
 */
import { normaliseCommand } from './commands.js';
import { type ExtractOptions, sessionHashIds } from './extract.js';
import type { CowrieSession } from './sessions.js';

/** A string counter that never holds more than `cap` keys (the rarest half goes when it is full). */
export class BoundedCounter<V extends { count: number }> {
  readonly #map = new Map<string, V>();
  readonly #cap: number;
  readonly #make: () => V;
  /**
   * Bumped by every prune. An entry obtained while `generation` was g is still this counter's entry
   * for its key as long as `generation` is still g: callers may keep it and bump it directly.
   */
  generation = 0;

  constructor(make: () => V, cap = 100_000) {
    this.#make = make;
    this.#cap = cap;
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
    this.generation++;
    const counts = [...this.#map.values()].map((v) => v.count).sort((a, b) => a - b);
    const median = counts[Math.floor(counts.length / 2)] ?? 0;
    for (const [k, v] of this.#map) if (v.count <= median) this.#map.delete(k);
  }
}

/** `JSON.stringify([version, hassh])`, remembered (bounded): a few clients make most sessions. */
const clientKeys = new Map<string | null, Map<string | null, string>>();

function clientKey(version: string | null, hassh: string | null): string {
  let byHassh = clientKeys.get(version);
  if (!byHassh) {
    if (clientKeys.size >= 10_000) clientKeys.clear();
    byHassh = new Map();
    clientKeys.set(version, byHassh);
  }
  let key = byHassh.get(hassh);
  if (key === undefined) {
    if (byHassh.size >= 10_000) byHassh.clear();
    key = JSON.stringify([version, hassh]);
    byHassh.set(hassh, key);
  }
  return key;
}

const counter = (cap?: number) => new BoundedCounter(() => ({ count: 0 }), cap);

type Count = { count: number };

/** The counter entries one (username, password) pair bumps, valid while the counters' generations sum to `gen`. */
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

/** Source addresses kept per file hash. */
const MAX_SOURCE_IPS = 50;

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
  readonly usernames = counter();
  readonly passwords = counter();
  readonly pairs = counter();
  readonly successPairs = counter();
  readonly commands = new BoundedCounter(() => ({ count: 0, sessions: 0 }));
  readonly clients = counter(10_000);
  readonly tunnelDestinations = counter();
  /** File hash -> the attacker addresses that brought it. */
  readonly hashSources = new Map<string, Set<string>>();
  /** The sessions themselves, when the caller wants per-session records. */
  readonly kept: CowrieSession[] | undefined;
  /**
   * Cached counter entries, so a recurring value costs one lookup (by the strings the session
   * carries) instead of a lookup per counter and a key to build. Bounded; dropped when full.
   */
  #logins = new Map<string, Map<string | null, LoginRefs>>();
  #loginRefs = 0;
  #clients = new Map<string | null, Map<string | null, { gen: number; row: Count }>>();
  #clientRefs = 0;
  #commandRows = new Map<string, CommandRef>();
  /** Commands seen in the current session (reused). */
  readonly #seen = new Set<string>();

  /** `extract` is accepted for the callers' sake: which file hashes a session has does not depend on it. */
  constructor(options: { keepSessions?: boolean; extract?: ExtractOptions } = {}) {
    this.kept = options.keepSessions === false ? undefined : [];
  }

  add(s: CowrieSession): void {
    this.kept?.push(s);
    if (!s.fragment) {
      this.sessions++;
      if (s.closed) this.closedSessions++;
      if (s.idleClosed) this.idleClosedSessions++;
    }
    this.events += s.events;
    this.commandsTotal += s.commands.length;
    let downloads = 0;
    for (const d of s.downloads) if (!d.failed) downloads++;
    this.downloads += downloads;
    this.uploads += s.uploads.length;
    if (s.startAt !== null && (this.from === null || s.startAt < this.from)) this.from = s.startAt;
    if (s.endAt !== null && (this.to === null || s.endAt > this.to)) this.to = s.endAt;
    let logins = 0;
    for (const l of s.logins) {
      this.loginAttempts++;
      const refs = this.#loginRefsOf(l.username ?? '', l.password, l.success);
      refs.user.count++;
      if (refs.password) refs.password.count++;
      if (refs.pair) refs.pair.count++;
      if (l.success) {
        this.loginSuccesses++;
        logins++;
        if (refs.success) refs.success.count++;
      }
    }
    if (s.srcIp) {
      let row = this.ips.get(s.srcIp);
      if (!row) {
        row = { loginSuccesses: 0, commands: 0, downloads: 0 };
        this.ips.set(s.srcIp, row);
      }
      row.loginSuccesses += logins;
      row.commands += s.commands.length;
      row.downloads += downloads + s.uploads.length;
    }
    const commands = s.commands;
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
    if (!s.fragment && (s.clientVersion !== null || s.hassh !== undefined)) this.#clientRow(s.clientVersion, s.hassh ?? null).count++;
    if (s.tunnels && s.tunnels.length > 0) {
      this.tunnelRequests += s.tunnels.length;
      this.tunnelSessions++;
      for (const dst of s.tunnels) this.tunnelDestinations.bump(dst);
    }
    if (s.srcIp && (s.downloads.length > 0 || s.uploads.length > 0)) {
      for (const id of sessionHashIds(s)) {
        let set = this.hashSources.get(id);
        if (!set) {
          set = new Set();
          this.hashSources.set(id, set);
        }
        if (set.size < MAX_SOURCE_IPS) set.add(s.srcIp);
      }
    }
  }

  /** Sum of the login counters' generations: unchanged while no entry of theirs was pruned. */
  #loginGen(): number {
    return this.usernames.generation + this.passwords.generation + this.pairs.generation + this.successPairs.generation;
  }

  /**
   * The entries a login bumps, cached per (username, password). Looked up again (in the order the
   * counters were always bumped) when any of these counters pruned since, so each is still its key's.
   */
  #loginRefsOf(user: string, password: string | null, success: boolean): LoginRefs {
    let byPassword = this.#logins.get(user);
    if (!byPassword) {
      if (this.#loginRefs >= MAX_REFS) {
        this.#logins = new Map();
        this.#loginRefs = 0;
      }
      byPassword = new Map();
      this.#logins.set(user, byPassword);
    }
    let refs = byPassword.get(password);
    if (!refs || refs.gen !== this.#loginGen()) {
      const pair = password === null ? undefined : `${user}/${password}`;
      const fresh: LoginRefs = {
        gen: 0,
        user: this.usernames.entry(user),
        password: password === null ? undefined : this.passwords.entry(password),
        pair: pair === undefined ? undefined : this.pairs.entry(pair),
        success: undefined,
      };
      if (!refs) this.#loginRefs++;
      refs = fresh;
      byPassword.set(password, refs);
      refs.gen = this.#loginGen();
    }
    if (success && !refs.success && password !== null) {
      refs.success = this.successPairs.entry(`${user}/${password}`);
      refs.gen = this.#loginGen();
    }
    return refs;
  }

  /** The client counter's entry for (version, hassh), cached. */
  #clientRow(version: string | null, hassh: string | null): Count {
    let byHassh = this.#clients.get(version);
    if (!byHassh) {
      if (this.#clientRefs >= MAX_REFS) {
        this.#clients = new Map();
        this.#clientRefs = 0;
      }
      byHassh = new Map();
      this.#clients.set(version, byHassh);
    }
    const hit = byHassh.get(hassh);
    if (hit && hit.gen === this.clients.generation) return hit.row;
    if (!hit) this.#clientRefs++;
    const row = this.clients.entry(clientKey(version, hassh));
    byHassh.set(hassh, { gen: this.clients.generation, row });
    return row;
  }

  /** A command's normalised key and counter entry, cached by the raw command line (bots repeat the same lines). */
  #commandRow(command: string): CommandRef {
    let hit = this.#commandRows.get(command);
    if (hit && hit.gen === this.commands.generation) return hit;
    const key = normaliseCommand(command);
    const row = key === '' ? undefined : this.commands.entry(key);
    if (!hit && this.#commandRows.size >= MAX_COMMAND_REFS) this.#commandRows = new Map();
    hit = { gen: this.commands.generation, key, row };
    this.#commandRows.set(command, hit);
    return hit;
  }
}
