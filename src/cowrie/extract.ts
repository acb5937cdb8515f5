/**
 * Indicators worth looking up, from sessions: file hashes of downloads and uploads, download URLs
 * (logged or found in wget/curl/tftp/ftpget commands), the hosts of those URLs, attacker addresses.
 * Deduplicated across the whole run with counts, so each one costs one lookup however often it recurs.
 */
import { type Indicator, type IndicatorKind, isPrivateAddress, parseIndicator, sha256Hex, vtUrlId } from '../indicators/index.js';
import { parseIPv4 } from '../indicators/ip.js';
import { isRemoteUrl, urlsInCommand } from './commands.js';
import type { CowrieSession } from './sessions.js';

/** SHA-256 of zero bytes: logged for empty files; never worth a lookup. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export type IndicatorRole = 'download' | 'upload' | 'download_url' | 'command_url' | 'url_host' | 'attacker';

export interface CowrieIndicator {
  kind: IndicatorKind;
  id: string;
  /** Canonical value (the URL itself for URLs). */
  value: string;
  indicator: Indicator;
  /** Sessions it was seen in. */
  sessions: number;
  /** Events that mention it (for attacker addresses: every event of their sessions). */
  events: number;
  roles: IndicatorRole[];
  firstSeenAt: number | null;
  lastSeenAt: number | null;
  /** File names seen for a hash (download URL name, destfile, upload name); at most 5. */
  names: string[];
  /** Set by `list()` from the isKnown callback. */
  known?: boolean;
}

export interface ExtractStats {
  /** Download/upload events with an empty `shasum`. */
  emptyHashes: number;
  /** Events whose `shasum` is the SHA-256 of empty input. */
  emptyFileHashes: number;
  /** `shasum` values that are not 64 hex characters. */
  invalidHashes: number;
  /** Download `url` values that are local paths (/dev/null, /etc/rc.local). */
  localPathUrls: number;
  /** URLs, hosts or addresses refused by the indicator parser (private addresses, garbage). */
  refused: number;
}

/** The indicators of one session (canonical, deduplicated within the session), with mention counts. */
export interface SessionIndicators {
  hashes: Map<string, { indicator: Indicator; mentions: number; names: string[]; role: IndicatorRole }>;
  urls: Map<string, { indicator: Indicator; mentions: number; role: IndicatorRole }>;
  hosts: Map<string, { indicator: Indicator; mentions: number }>;
  attacker: Indicator | undefined;
}

export interface ExtractOptions {
  /** Keep private/loopback addresses (a lab honeypot); default false. */
  allowPrivate?: boolean;
}

function newExtractStats(): ExtractStats {
  return { emptyHashes: 0, emptyFileHashes: 0, invalidHashes: 0, localPathUrls: 0, refused: 0 };
}

function tryParse(input: string, kind: IndicatorKind | undefined, allowPrivate: boolean): Indicator | undefined {
  try {
    return parseIndicator(input, kind ? { kind, allowPrivate } : { allowPrivate });
  } catch {
    return undefined;
  }
}

/** tftp:// is not a scheme the indicator parser takes: canonicalise its host through an http twin. */
function parseUrl(url: string, allowPrivate: boolean): Indicator | undefined {
  const tftp = /^tftp:\/\/(.+)$/i.exec(url);
  if (!tftp) return tryParse(url, 'url', allowPrivate);
  const twin = tryParse(`http://${tftp[1]}`, 'url', allowPrivate);
  if (!twin) return undefined;
  const value = `tftp://${twin.value.slice('http://'.length)}`;
  return { kind: 'url', value, id: sha256Hex(value), vtUrlId: vtUrlId(value) };
}

function hostOf(url: Indicator): string | undefined {
  try {
    return new URL(url.value).hostname.replace(/^\[|\]$/g, '') || undefined;
  } catch {
    return undefined;
  }
}

function validHash(raw: string | undefined, stats: ExtractStats): string | undefined {
  if (raw === undefined || raw.trim() === '') {
    stats.emptyHashes++;
    return undefined;
  }
  const h = raw.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(h)) {
    stats.invalidHashes++;
    return undefined;
  }
  if (h === EMPTY_SHA256) {
    stats.emptyFileHashes++;
    return undefined;
  }
  return h;
}

function basenameOf(path: string): string | undefined {
  const name = path.slice(path.replace(/\/+$/, '').lastIndexOf('/') + 1).replace(/\/+$/, '');
  return name || undefined;
}

/** Bots send the same command lines over and over: their URLs are remembered (bounded). */
const commandMemo = new Map<string, readonly string[]>();

function commandUrls(command: string): readonly string[] {
  let hit = commandMemo.get(command);
  if (!hit) {
    if (commandMemo.size >= 20_000) commandMemo.clear();
    hit = urlsInCommand(command);
    commandMemo.set(command, hit);
  }
  return hit;
}

/** Attackers come back session after session: their parsed address is remembered (bounded). */
const attackers = new Map<string, Indicator | null>();

function attackerIndicator(ip: string, allowPrivate: boolean): Indicator | undefined {
  const key = allowPrivate ? `+${ip}` : ip;
  let hit = attackers.get(key);
  if (hit === undefined) {
    if (attackers.size >= 50_000) attackers.clear();
    // A plain dotted quad is its own canonical form (what parseIndicator would make of it, without
    // its refang, hash and scheme checks first); anything else goes the whole way.
    if (parseIPv4(ip)) hit = allowPrivate || !isPrivateAddress(ip) ? { kind: 'ip', value: ip, id: ip } : null;
    else hit = tryParse(ip, 'ip', allowPrivate) ?? null;
    attackers.set(key, hit);
  }
  return hit ?? undefined;
}

/** Parsed URLs, remembered (bounded): the same droppers recur in thousands of sessions. */
const urlMemo = new Map<string, Indicator | null>();

function addHash(out: SessionIndicators, stats: ExtractStats, raw: string | undefined, role: IndicatorRole, name: string | undefined): void {
  const h = validHash(raw, stats);
  if (!h) return;
  const indicator = tryParse(h, 'file', true);
  if (!indicator) return;
  let entry = out.hashes.get(indicator.id);
  if (!entry) {
    entry = { indicator, mentions: 0, names: [], role };
    out.hashes.set(indicator.id, entry);
  }
  entry.mentions++;
  if (name && !entry.names.includes(name)) entry.names.push(name);
}

function addUrl(out: SessionIndicators, stats: ExtractStats, raw: string, role: IndicatorRole, allowPrivate: boolean): void {
  const key = `${allowPrivate ? '+' : ''}${raw.trim()}`;
  let indicator = urlMemo.get(key);
  if (indicator === undefined) {
    if (urlMemo.size >= 20_000) urlMemo.clear();
    indicator = parseUrl(raw.trim(), allowPrivate) ?? null;
    urlMemo.set(key, indicator);
  }
  if (!indicator) {
    stats.refused++;
    return;
  }
  let entry = out.urls.get(indicator.id);
  if (!entry) {
    entry = { indicator, mentions: 0, role };
    out.urls.set(indicator.id, entry);
  }
  entry.mentions++;
}

/** A URL's host as an indicator: undefined when it has none, null when refused (remembered, bounded). */
const hostMemo = new Map<string, Indicator | null | undefined>();

function urlHost(url: Indicator, allowPrivate: boolean): Indicator | null | undefined {
  const key = `${allowPrivate ? '+' : ''}${url.id}`;
  if (hostMemo.has(key)) return hostMemo.get(key);
  if (hostMemo.size >= 20_000) hostMemo.clear();
  const host = hostOf(url);
  let out: Indicator | null | undefined;
  if (host) {
    const h = tryParse(host, undefined, allowPrivate);
    out = h && (h.kind === 'domain' || h.kind === 'ip') ? h : null;
  }
  hostMemo.set(key, out);
  return out;
}

/** A session's file hashes (downloads, then uploads), and its download URLs unless `urls` is false. */
function addHashes(out: SessionIndicators, stats: ExtractStats, session: CowrieSession, urls: { allowPrivate: boolean } | false): void {
  for (const d of session.downloads) {
    // A missing shasum is normal for a failed download; only count empty ones on successes.
    if (!d.failed || d.sha256 !== undefined) {
      addHash(out, stats, d.sha256, 'download', d.destfile ? basenameOf(d.destfile) : d.url ? basenameOf(d.url) : undefined);
    }
    if (urls && d.url !== undefined) {
      if (isRemoteUrl(d.url)) addUrl(out, stats, d.url, 'download_url', urls.allowPrivate);
      else stats.localPathUrls++;
    }
  }
  for (const u of session.uploads) addHash(out, stats, u.sha256, 'upload', u.filename ?? (u.destfile ? basenameOf(u.destfile) : undefined));
}

/** The ids of a session's file hashes, as `sessionIndicators(session).hashes.keys()` gives them (without its URLs). */
export function sessionHashIds(session: CowrieSession): IterableIterator<string> {
  const out: SessionIndicators = { hashes: new Map(), urls: new Map(), hosts: new Map(), attacker: undefined };
  addHashes(out, newExtractStats(), session, false);
  return out.hashes.keys();
}

/** The indicators of one session. `stats` (optional) counts what was skipped and why. */
export function sessionIndicators(
  session: CowrieSession,
  options: ExtractOptions = {},
  stats: ExtractStats = newExtractStats(),
): SessionIndicators {
  const allowPrivate = options.allowPrivate ?? false;
  const out: SessionIndicators = { hashes: new Map(), urls: new Map(), hosts: new Map(), attacker: undefined };
  addHashes(out, stats, session, { allowPrivate });
  for (const command of session.commands) {
    for (const url of commandUrls(command)) addUrl(out, stats, url, 'command_url', allowPrivate);
  }
  for (const { indicator } of out.urls.values()) {
    const h = urlHost(indicator, allowPrivate);
    if (h === undefined) continue;
    if (h === null) {
      stats.refused++;
      continue;
    }
    const entry = out.hosts.get(h.id) ?? { indicator: h, mentions: 0 };
    entry.mentions++;
    out.hosts.set(h.id, entry);
  }
  if (session.srcIp) {
    out.attacker = attackerIndicator(session.srcIp, allowPrivate);
    if (!out.attacker) stats.refused++;
  }
  return out;
}

/** Lookup order groups (see `list`). */
const GROUP_FILE = 0;
const GROUP_URL = 1;
const GROUP_HOST = 2;
const GROUP_ATTACKER = 3;

type Entry = CowrieIndicator & { group: number };

/** True when a command of the list names a download URL. */
function commandsHaveUrls(commands: readonly string[]): boolean {
  for (let i = 0; i < commands.length; i++) if (commandUrls(commands[i] as string).length > 0) return true;
  return false;
}

/** Collects the indicators of many sessions, deduplicated by kind and id. */
export class IndicatorCollector {
  readonly stats: ExtractStats = newExtractStats();
  readonly #byKey = new Map<string, Entry>();
  readonly #options: ExtractOptions;

  constructor(options: ExtractOptions = {}) {
    this.#options = options;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** Adds one session's indicators (`sessionIndicators` gives them for one session). */
  add(session: CowrieSession): void {
    if (session.downloads.length === 0 && session.uploads.length === 0 && !commandsHaveUrls(session.commands)) {
      // Most sessions (scans, guessing, commands without URLs) bring only their address: no maps for them.
      if (!session.srcIp) return;
      const entry = this.#attackerEntry(session.srcIp);
      if (entry) this.#touchAttacker(session, entry);
      else this.stats.refused++;
      return;
    }
    const found = sessionIndicators(session, this.#options, this.stats);
    for (const h of found.hashes.values()) this.#touch(session, this.#entry(h.indicator, GROUP_FILE), GROUP_FILE, h.role, h.mentions, h.names);
    for (const u of found.urls.values()) this.#touch(session, this.#entry(u.indicator, GROUP_URL), GROUP_URL, u.role, u.mentions);
    for (const h of found.hosts.values()) this.#touch(session, this.#entry(h.indicator, GROUP_HOST), GROUP_HOST, 'url_host', h.mentions);
    if (found.attacker) {
      const entry = session.srcIp ? this.#attackerEntry(session.srcIp) : undefined;
      this.#touchAttacker(session, entry ?? this.#entry(found.attacker, GROUP_ATTACKER));
    }
  }

  /**
   * Entries by the attacker address as the log wrote it (null: refused): attackers come back session
   * after session, so this is one lookup by a string the session carries. Bounded; dropped when full.
   */
  #byIp = new Map<string, Entry | null>();

  #attackerEntry(ip: string): Entry | undefined {
    let hit = this.#byIp.get(ip);
    if (hit === undefined) {
      const indicator = attackerIndicator(ip, this.#options.allowPrivate ?? false);
      hit = indicator ? this.#entry(indicator, GROUP_ATTACKER) : null;
      if (this.#byIp.size >= 50_000) this.#byIp = new Map();
      this.#byIp.set(ip, hit);
    }
    return hit ?? undefined;
  }

  /** The entry of `indicator`, created (in `group`) when new. */
  #entry(indicator: Indicator, group: number): Entry {
    const key = `${indicator.kind}:${indicator.id}`;
    let entry = this.#byKey.get(key);
    if (!entry) {
      entry = {
        kind: indicator.kind,
        id: indicator.id,
        value: indicator.value,
        indicator,
        sessions: 0,
        events: 0,
        roles: [],
        firstSeenAt: null,
        lastSeenAt: null,
        names: [],
        group,
      };
      this.#byKey.set(key, entry);
    }
    return entry;
  }

  /** `#touch` for the last group (no group to lower, no names). */
  #touchAttacker(session: CowrieSession, entry: Entry): void {
    if (!session.fragment) entry.sessions++;
    entry.events += session.events;
    if (!entry.roles.includes('attacker')) entry.roles.push('attacker');
    this.#seenAt(session, entry);
  }

  #touch(session: CowrieSession, entry: Entry, group: number, role: IndicatorRole, events: number, names?: readonly string[]): void {
    if (entry.group > group) entry.group = group;
    if (!session.fragment) entry.sessions++;
    entry.events += events;
    if (!entry.roles.includes(role)) entry.roles.push(role);
    if (names) for (const n of names) if (entry.names.length < 5 && !entry.names.includes(n)) entry.names.push(n);
    this.#seenAt(session, entry);
  }

  #seenAt(session: CowrieSession, entry: Entry): void {
    const at = session.startAt;
    if (at !== null) {
      if (entry.firstSeenAt === null || at < entry.firstSeenAt) entry.firstSeenAt = at;
      const end = session.endAt ?? at;
      if (entry.lastSeenAt === null || end > entry.lastSeenAt) entry.lastSeenAt = end;
    }
  }

  /**
   * Every indicator, in lookup order: hashes not yet known first, then known hashes, then URLs,
   * then URL hosts, then attacker addresses; within a group, the most seen first.
   */
  list(options: { isKnown?: (kind: IndicatorKind, id: string) => boolean } = {}): CowrieIndicator[] {
    const all = [...this.#byKey.values()];
    for (const x of all) x.known = options.isKnown ? options.isKnown(x.kind, x.id) : false;
    all.sort(
      (a, b) =>
        a.group - b.group ||
        Number(a.known) - Number(b.known) ||
        b.sessions - a.sessions ||
        b.events - a.events ||
        a.id.localeCompare(b.id),
    );
    return all.map(({ group: _group, ...rest }) => rest);
  }

  get(kind: IndicatorKind, id: string): CowrieIndicator | undefined {
    const x = this.#byKey.get(`${kind}:${id}`);
    if (!x) return undefined;
    const { group: _group, ...rest } = x;
    return rest;
  }
}

/** Convenience: the deduplicated, ordered indicators of a set of sessions. */
export function collectCowrieIndicators(
  sessions: Iterable<CowrieSession>,
  options: ExtractOptions & { isKnown?: (kind: IndicatorKind, id: string) => boolean } = {},
): { indicators: CowrieIndicator[]; stats: ExtractStats } {
  const collector = new IndicatorCollector(options);
  for (const s of sessions) collector.add(s);
  return { indicators: collector.list({ isKnown: options.isKnown }), stats: collector.stats };
}
