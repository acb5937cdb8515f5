/**
 * Groups events into sessions. A session ends at `cowrie.session.closed`; sessions still open when
 * the input ends are flushed with `endAt` from their last event. Memory stays bounded whatever the
 * log: a session with no event for `idleCloseMs` of log time (default 15 min, five times Cowrie's own
 * 180 s idle and interactive timeouts) is closed as unterminated (`idleClosed`), and beyond
 * `maxOpenSessions` those that started first are closed the same way. Events that arrive for a session
 * already closed (Cowrie's `late: true`) become a small fragment flushed at the end, so a late
 * download is never lost.
 */
import { type CowrieEvent, durationMs, eventTime, port, rawStr, str } from './events.js';
import { Interner, NONE, own } from './session-memory.js';
import type { CowrieDownload, CowrieLogin, CowrieSession, CowrieUpload } from './session-types.js';

export type { CowrieDownload, CowrieLogin, CowrieSession, CowrieUpload } from './session-types.js';

export interface SessionBuilderOptions {
  /** Cap on commands and logins kept per session (default 2000). */
  maxItemsPerSession?: number;
  /** How many closed session ids to remember for late events (default 20000). */
  rememberClosed?: number;
  /** Log time without an event after which an open session is closed as unterminated (default 15 min). */
  idleCloseMs?: number;
  /** Open sessions kept at most; beyond, the tenth that started first is closed (default 20000). */
  maxOpenSessions?: number;
}

export const DEFAULT_IDLE_CLOSE_MS = 15 * 60_000;

interface OpenSession {
  s: CowrieSession;
  /** Closed, still in the map until the next compaction (see `#drop`). */
  gone: boolean;
  /** Legacy `command.success` inputs, used only when the session logged no `command.input`. */
  legacyCommands: string[];
  sawInput: boolean;
}

/** Closed sessions left in the open map before it is rebuilt without them. */
const COMPACT_AFTER = 4096;

export class SessionBuilder {
  /** Open sessions in the order they started, and closed ones not yet compacted away (`gone`). */
  #open = new Map<string, OpenSession>();
  #gone = 0;
  /** Ids of the last closed sessions: a set for lookups, a ring for their order (a Map used as a FIFO slows down as deletions pile up at its front). */
  readonly #closed = new Set<string>();
  #closedRing: Array<string | undefined> = [];
  #closedNext = 0;
  readonly #maxItems: number;
  readonly #rememberClosed: number;
  /** Events without a session id (e.g. `cowrie.abuseipdb.*`). */
  sessionless = 0;
  /** Sessions emitted so far (closed or flushed, fragments excluded). */
  emitted = 0;
  /** Sessions closed for idleness or at the cap (counted in `emitted` too). */
  idleClosed = 0;
  readonly #idleMs: number;
  readonly #maxOpen: number;
  /** Log time of the latest event, and of the last idle sweep. */
  #now: number | null = null;
  #sweptAt: number | null = null;
  #idle: CowrieSession[] = [];
  readonly #strings = new Interner();

  constructor(options: SessionBuilderOptions = {}) {
    this.#maxItems = options.maxItemsPerSession ?? 2000;
    this.#rememberClosed = options.rememberClosed ?? 20_000;
    this.#idleMs = options.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS;
    this.#maxOpen = Math.max(10, options.maxOpenSessions ?? 20_000);
  }

  /** Sessions closed for idleness since the last call (call after push; `buildSessions` does). */
  takeIdle(): CowrieSession[] {
    if (this.#idle.length === 0) return this.#idle;
    const out = this.#idle;
    this.#idle = [];
    return out;
  }

  /**
   * Closes sessions idle for longer than the limit, measured from the log's current time either way
   * (a log whose time jumps back, such as an older file read after a newer one, closes what came before).
   */
  #sweep(current: OpenSession): void {
    const now = this.#now;
    if (now !== null) this.#sweptAt = now;
    for (const [id, open] of this.#open) {
      if (open.gone || open === current || open.s.fragment || now === null) continue;
      const last = open.s.endAt ?? open.s.startAt;
      if (last !== null && Math.abs(now - last) > this.#idleMs) this.#closeIdle(id, open);
    }
    if (this.openCount > this.#maxOpen) {
      // The map is in the order sessions started: the oldest tenth goes.
      let n = Math.ceil(this.#maxOpen / 10);
      for (const [id, open] of this.#open) {
        if (open.gone) continue;
        if (n-- <= 0) break;
        if (open !== current) this.#closeIdle(id, open);
      }
    }
  }

  /**
   * Takes a closed session out of the open ones. Deleting from a Map that holds a few entries makes
   * the engine shrink and regrow its table with every session (a call into the runtime and a new
   * table each time), so a closed session is only marked, and the map is rebuilt now and then.
   */
  #drop(open: OpenSession): void {
    open.gone = true;
    this.#gone++;
    if (this.#gone >= COMPACT_AFTER && this.#gone * 2 > this.#open.size) {
      const live = new Map<string, OpenSession>();
      for (const [id, o] of this.#open) if (!o.gone) live.set(id, o);
      this.#open = live;
      this.#gone = 0;
    }
  }

  #closeIdle(id: string, open: OpenSession): void {
    this.#drop(open);
    if (open.s.fragment) {
      this.#idle.push(finish(open));
      return;
    }
    open.s.idleClosed = true;
    this.#remember(id);
    this.emitted++;
    this.idleClosed++;
    this.#idle.push(finish(open));
  }

  get openCount(): number {
    return this.#open.size - this.#gone;
  }

  /** Consumes one event; returns the session it closed, if any. */
  push(event: CowrieEvent): CowrieSession | undefined {
    const id = typeof event.session === 'string' && event.session !== '' ? event.session : undefined;
    if (!id) {
      this.sessionless++;
      return undefined;
    }
    let open = this.#open.get(id);
    if (open?.gone) {
      // A late event of a closed session: its fragment goes last in the start order, as a new session would.
      this.#open.delete(id);
      this.#gone--;
      open = undefined;
    }
    if (!open) {
      open = { s: newSession(id, this.#closed.has(id)), gone: false, legacyCommands: NONE, sawInput: false };
      this.#open.set(id, open);
    }
    const isClose = this.#apply(open, event);
    const now = this.#now;
    if (this.openCount > this.#maxOpen || (now !== null && (this.#sweptAt === null || Math.abs(now - this.#sweptAt) > this.#idleMs / 4))) {
      this.#sweep(open);
    }
    if (isClose && !open.s.fragment) {
      this.#drop(open);
      this.#remember(id);
      this.emitted++;
      return finish(open);
    }
    return undefined;
  }

  /** Every session still open (and every fragment), ended at its last event. */
  flush(): CowrieSession[] {
    const out: CowrieSession[] = [...this.takeIdle()];
    for (const open of this.#open.values()) {
      if (open.gone) continue;
      if (!open.s.fragment) this.emitted++;
      out.push(finish(open));
    }
    this.#open.clear();
    this.#gone = 0;
    return out;
  }

  #remember(id: string): void {
    if (this.#closed.has(id)) return;
    const max = Math.max(1, this.#rememberClosed);
    const evicted = this.#closedRing[this.#closedNext];
    if (evicted !== undefined) this.#closed.delete(evicted);
    this.#closedRing[this.#closedNext] = id;
    this.#closedNext = (this.#closedNext + 1) % max;
    this.#closed.add(id);
  }


  /** Folds the event into the session; true when it is the session's close event. */
  #apply(open: OpenSession, e: CowrieEvent): boolean {
    const s = open.s;
    const at = eventTime(e) ?? null;
    s.events++;
    if (at !== null) this.#now = at;
    if (at !== null) {
      if (s.startAt === null || at < s.startAt) s.startAt = at;
      if (s.endAt === null || at > s.endAt) s.endAt = at;
    }
    const intern = this.#strings;
    s.srcIp ??= intern.of(str(e, 'src_ip') ?? null);
    s.sensor ??= intern.of(rawStr(e, 'sensor') ?? null);
    s.protocol ??= intern.of(str(e, 'protocol') ?? null);
    switch (e.eventid) {
      case 'cowrie.session.connect':
        // src_port/dst_* only from the connect event: direct-tcpip events carry forwarded endpoints.
        s.srcIp = intern.of(str(e, 'src_ip') ?? null) ?? s.srcIp;
        s.srcPort = port(e, 'src_port') ?? s.srcPort;
        s.dstIp = intern.of(str(e, 'dst_ip') ?? null) ?? s.dstIp;
        s.dstPort = port(e, 'dst_port') ?? s.dstPort;
        if (at !== null) s.startAt = at;
        break;
      case 'cowrie.client.version':
        s.clientVersion = intern.of(str(e, 'version') ?? null) ?? s.clientVersion;
        break;
      case 'cowrie.client.kex': {
        const hassh = str(e, 'hassh');
        if (hassh) s.hassh = intern.of(hassh) ?? hassh;
        break;
      }
      case 'cowrie.session.params': {
        const arch = str(e, 'arch');
        if (arch) s.arch = arch;
        break;
      }
      case 'cowrie.login.success':
      case 'cowrie.login.failed':
        if (s.logins.length < this.#maxItems) {
          const login: CowrieLogin = {
            username: rawStr(e, 'username') ?? null,
            password: rawStr(e, 'password') ?? null,
            success: e.eventid === 'cowrie.login.success',
            at,
          };
          const fp = str(e, 'fingerprint');
          if (fp) login.fingerprint = fp;
          s.logins = own(s.logins);
          s.logins.push(login);
        }
        break;
      case 'cowrie.command.input': {
        const input = rawStr(e, 'input');
        open.sawInput = true;
        if (input !== undefined) this.#addCommand(s, input);
        break;
      }
      case 'cowrie.command.success': {
        const input = rawStr(e, 'input');
        if (input !== undefined && open.legacyCommands.length < this.#maxItems) {
          open.legacyCommands = own(open.legacyCommands);
          open.legacyCommands.push(input);
        }
        break;
      }
      case 'cowrie.session.file_download':
      case 'cowrie.session.file_download.failed': {
        const d: CowrieDownload = { at };
        const url = str(e, 'url');
        const sha = str(e, 'shasum');
        const outfile = str(e, 'outfile');
        const destfile = rawStr(e, 'destfile');
        const filename = str(e, 'filename');
        if (url) d.url = url;
        if (sha) d.sha256 = sha.toLowerCase();
        if (outfile) d.outfile = outfile;
        if (destfile !== undefined) d.destfile = destfile;
        if (filename) d.filename = filename;
        if (e.eventid.endsWith('.failed')) d.failed = true;
        s.downloads = own(s.downloads);
        s.downloads.push(d);
        break;
      }
      case 'cowrie.session.file_upload': {
        const u: CowrieUpload = { at };
        const filename = str(e, 'filename');
        const sha = str(e, 'shasum');
        const outfile = str(e, 'outfile');
        const destfile = rawStr(e, 'destfile');
        if (filename) u.filename = filename;
        if (sha) u.sha256 = sha.toLowerCase();
        if (outfile) u.outfile = outfile;
        if (destfile !== undefined) u.destfile = destfile;
        s.uploads = own(s.uploads);
        s.uploads.push(u);
        break;
      }
      case 'cowrie.direct-tcpip.request': {
        const dst = str(e, 'dst_ip');
        if (dst) {
          const p = port(e, 'dst_port');
          s.tunnels ??= [];
          const list = s.tunnels;
          if (list.length < this.#maxItems) list.push(p === undefined ? dst : dst.includes(':') ? `[${dst}]:${p}` : `${dst}:${p}`);
        }
        break;
      }
      case 'cowrie.session.closed': {
        s.closed = true;
        const d = durationMs(e);
        if (d !== undefined) s.durationMs = d;
        if (at !== null) s.endAt = at;
        return true;
      }
    }
    return false;
  }

  #addCommand(s: CowrieSession, input: string): void {
    if (s.commands.length < this.#maxItems) {
      s.commands = own(s.commands);
      s.commands.push(input);
    }
    else s.droppedCommands = (s.droppedCommands ?? 0) + 1;
  }
}

function newSession(id: string, fragment: boolean): CowrieSession {
  const s: CowrieSession = {
    session: id,
    srcIp: null,
    srcPort: null,
    dstIp: null,
    dstPort: null,
    protocol: null,
    sensor: null,
    startAt: null,
    endAt: null,
    durationMs: null,
    clientVersion: null,
    logins: NONE,
    commands: NONE,
    downloads: NONE,
    uploads: NONE,
    events: 0,
    closed: false,
  };
  if (fragment) s.fragment = true;
  return s;
}

function finish(open: OpenSession): CowrieSession {
  const s = open.s;
  if (!open.sawInput && open.legacyCommands.length > 0) s.commands = open.legacyCommands;
  s.logins = own(s.logins);
  s.commands = own(s.commands);
  s.downloads = own(s.downloads);
  s.uploads = own(s.uploads);
  if (s.durationMs === null && s.startAt !== null && s.endAt !== null) s.durationMs = s.endAt - s.startAt;
  return s;
}

/** Sessions from an event stream, in the order they end (open ones flushed at the end). */
export async function* buildSessions(
  events: AsyncIterable<CowrieEvent>,
  builder: SessionBuilder = new SessionBuilder(),
): AsyncGenerator<CowrieSession> {
  for await (const event of events) {
    const done = builder.push(event);
    if (done) yield done;
    yield* builder.takeIdle();
  }
  yield* builder.flush();
}
