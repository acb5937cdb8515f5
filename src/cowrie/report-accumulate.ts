/**
 * Folds sessions into the report's counts one at a time, so a run keeps counts rather than sessions:
 * totals, per-attacker counts, credentials, commands, SSH clients, direct-tcpip abuse, and which
 * addresses brought each file. Counters of attacker-chosen strings (passwords, commands) are bounded:
 * past their cap the rarest half is dropped, which keeps every frequent value and its count.
 */
import { normaliseCommand } from './commands.js';
import { type ExtractOptions, sessionIndicators } from './extract.js';
import type { CowrieSession } from './sessions.js';

/** A string counter that never holds more than `cap` keys (the rarest half goes when it is full). */
export class BoundedCounter<V extends { count: number }> {
  readonly #map = new Map<string, V>();
  readonly #cap: number;
  readonly #make: () => V;

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
    const counts = [...this.#map.values()].map((v) => v.count).sort((a, b) => a - b);
    const median = counts[Math.floor(counts.length / 2)] ?? 0;
    for (const [k, v] of this.#map) if (v.count <= median) this.#map.delete(k);
  }
}

/** Normalised commands, remembered (bounded): bots repeat the same lines in thousands of sessions. */
const normalised = new Map<string, string>();

function normalise(command: string): string {
  let hit = normalised.get(command);
  if (hit === undefined) {
    if (normalised.size >= 20_000) normalised.clear();
    hit = normaliseCommand(command);
    normalised.set(command, hit);
  }
  return hit;
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
  readonly #extract: ExtractOptions | undefined;

  constructor(options: { keepSessions?: boolean; extract?: ExtractOptions } = {}) {
    this.kept = options.keepSessions === false ? undefined : [];
    this.#extract = options.extract;
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
      if (l.success) {
        this.loginSuccesses++;
        logins++;
      }
      const user = l.username ?? '';
      this.usernames.bump(user);
      if (l.password !== null) {
        this.passwords.bump(l.password);
        this.pairs.bump(`${user}/${l.password}`);
        if (l.success) this.successPairs.bump(`${user}/${l.password}`);
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
    const seen = s.commands.length > 1 ? new Set<string>() : undefined;
    for (const c of s.commands) {
      const key = normalise(c);
      if (key === '') continue;
      const row = this.commands.entry(key);
      row.count++;
      if (!seen) row.sessions++;
      else if (!seen.has(key)) {
        seen.add(key);
        row.sessions++;
      }
    }
    if (!s.fragment && (s.clientVersion !== null || s.hassh !== undefined)) {
      this.clients.bump(clientKey(s.clientVersion, s.hassh ?? null));
    }
    if (s.tunnels && s.tunnels.length > 0) {
      this.tunnelRequests += s.tunnels.length;
      this.tunnelSessions++;
      for (const dst of s.tunnels) this.tunnelDestinations.bump(dst);
    }
    if (s.srcIp && (s.downloads.length > 0 || s.uploads.length > 0)) {
      for (const id of sessionIndicators(s, this.#extract).hashes.keys()) {
        let set = this.hashSources.get(id);
        if (!set) {
          set = new Set();
          this.hashSources.set(id, set);
        }
        if (set.size < MAX_SOURCE_IPS) set.add(s.srcIp);
      }
    }
  }
}
