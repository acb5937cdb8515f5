/**
 * `vtg enrich cowrie --follow`: tails the live log across rotations, and as each session closes,
 * looks its indicators up through the Gateway and hands over the enriched session record, in the
 * order sessions close.
 *
 * The state file never moves past the first line of a session that is still open or still being
 * enriched: a restart reads those sessions again (the cache makes their lookups free) instead of
 * losing them, so a record can be delivered twice across a restart but never lost. A session with
 * no event for `maxOpenSessionMs` of log time stops holding the state back (Cowrie crashed or lost
 * its close event).
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock/index.js';
import type { Gateway, Priority } from '../gateway/index.js';
import type { ProviderName } from '../providers/types.js';
import { type CowrieEvent, eventTime } from './events.js';
import { type ExtractStats, type ExtractOptions, IndicatorCollector } from './extract.js';
import { followCowrieLog } from './follow.js';
import {
  addToWatchlist,
  type LookupFailure,
  type ProviderPlan,
  type ProviderRun,
  lookupTasks,
  planProviders,
  runLookups,
} from './pipeline.js';
import { type CowrieReadStats, createReadStats } from './reader.js';
import { buildCowrieReport, type ProviderResults, type SessionRecord } from './report.js';
import { type CowrieSession, SessionBuilder } from './sessions.js';
import { type CowrieFileState, CowrieState } from './state.js';

export interface FollowEnrichOptions {
  /** The live log, e.g. /var/log/cowrie/cowrie.json. */
  path: string;
  /** Where to remember the position (default none: start at the beginning, or the end with startAtEnd). */
  statePath?: string;
  /** Following ends (without error) when it aborts. */
  signal: AbortSignal;
  /** Called once per session with its indicators' verdicts, in the order sessions close. */
  onSession: (record: SessionRecord) => void | Promise<void>;
  providers?: ProviderName[];
  /** Default 'batch'. */
  priority?: Priority;
  /** Default the gateway's clock. */
  clock?: Clock;
  /** How often to look for new lines (default 1000 ms of the clock). */
  pollMs?: number;
  /** Without a saved position, start at the end of the file. */
  startAtEnd?: boolean;
  extract?: ExtractOptions;
  /** Save the state at most this often while following (default 5000 ms of the clock), and at the end. */
  saveEveryMs?: number;
  /** Sessions waiting for their lookups before reading pauses (default 256). */
  maxPendingSessions?: number;
  /** Log time after which a session without a close event stops holding the state back (default 1 h). */
  maxOpenSessionMs?: number;
  /** Each failed lookup (also kept in the returned stats, the first 100). */
  onFailure?: (failure: LookupFailure) => void;
  /** Add each session's file hashes and URLs to this watchlist as it closes. */
  watchlist?: string;
}

export interface FollowEnrichStats {
  /** Records handed to onSession. */
  sessions: number;
  /** Providers asked for: lookups, cache answers, upstream calls, failures; skipped ones carry their note. */
  providers: ProviderRun[];
  failures: LookupFailure[];
  read: CowrieReadStats;
  extract: ExtractStats;
  stateSaves: number;
  /** Indicators new to `watchlist`. */
  watchlistAdded: number;
}

interface Holder {
  entry: CowrieFileState;
  offset: number;
  lines: number;
  firstAt: number | null;
  lastAt: number | null;
  closed: boolean;
}

const MAX_KEPT_FAILURES = 100;

export async function followAndEnrich(gateway: Gateway, options: FollowEnrichOptions): Promise<FollowEnrichStats> {
  const clock = options.clock ?? gateway.clock;
  const plan: ProviderPlan = planProviders(gateway, options.providers);
  const state = options.statePath ? await CowrieState.load(options.statePath) : undefined;
  const readStats = createReadStats();
  const builder = new SessionBuilder();
  const extractTotals: ExtractStats = { emptyHashes: 0, emptyFileHashes: 0, invalidHashes: 0, localPathUrls: 0, refused: 0 };
  const failures: LookupFailure[] = [];
  const maxPending = Math.max(1, options.maxPendingSessions ?? 256);
  const saveEveryMs = options.saveEveryMs ?? 5000;
  const maxOpenMs = options.maxOpenSessionMs ?? 3600_000;

  // Our own controller: a failing onSession stops the follower as the caller's abort does.
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const onAbort = () => inner.abort(options.signal.reason);
  if (options.signal.aborted) inner.abort(options.signal.reason);
  else options.signal.addEventListener('abort', onAbort, { once: true });
  let fatal: { error: unknown } | undefined;

  const holders = new Map<string, Holder>();
  const recentlyClosed = new Set<string>();
  let current: CowrieFileState | undefined;
  let before = { offset: 0, lines: 0 };
  let lastEventAt: number | null = null;
  let delivered = 0;
  let saves = 0;
  let watchlistAdded = 0;
  let lastSave = clock.now();
  let pending = 0;
  let chain: Promise<void> = Promise.resolve();

  // Where the follower opened each file (its resume point): a file's first session starts no earlier.
  // The follower registers an entry with state.set() when it opens a file; this is the one hook it offers.
  const opened = new Map<CowrieFileState, { offset: number; lines: number }>();
  const seen = new Set<CowrieFileState>();
  if (state) {
    const set = state.set.bind(state);
    state.set = (entry: CowrieFileState) => {
      opened.set(entry, { offset: entry.offset, lines: entry.lines });
      set(entry);
    };
  }

  /** The state entry the follower just consumed `event` from (the reader commits a line before handing it over). */
  const entryOf = (event: CowrieEvent): CowrieFileState | undefined => {
    if (!state) return undefined;
    if (current && current.path === event._file && current.lines === event._line) return current;
    let best: CowrieFileState | undefined;
    for (const e of state.entries()) {
      if (e.path === event._file && e.lines === event._line && (!best || e.updatedAt >= best.updatedAt)) best = e;
    }
    if (best && best !== current) {
      current = best;
      seen.add(best);
      before = opened.get(best) ?? { offset: 0, lines: 0 };
    }
    return best;
  };

  const forget = (id: string) => {
    holders.delete(id);
    recentlyClosed.add(id);
    if (recentlyClosed.size > 100_000) {
      const oldest = recentlyClosed.values().next().value;
      if (oldest !== undefined) recentlyClosed.delete(oldest);
    }
  };

  const saveState = async (force: boolean) => {
    if (!state || (!force && clock.now() - lastSave < saveEveryMs)) return;
    // Sessions silent for too long (in log time) no longer hold the state back.
    if (lastEventAt !== null) {
      for (const [id, h] of holders) {
        if (!h.closed && (h.lastAt ?? h.firstAt ?? lastEventAt) < lastEventAt - maxOpenMs) holders.delete(id);
      }
    }
    // Never past the last event this loop handled (the follower commits a line just before handing it
    // over), nor into a file none of whose events were handled yet, nor past an open or pending session.
    const rewind = new Map<CowrieFileState, { offset: number; lines: number }>();
    if (current) rewind.set(current, before);
    for (const [e, at] of opened) if (!seen.has(e)) rewind.set(e, at);
    for (const h of holders.values()) {
      const r = rewind.get(h.entry);
      if (!r || h.offset < r.offset) rewind.set(h.entry, { offset: h.offset, lines: h.lines });
    }
    const out = state.emptyCopy();
    for (const e of state.entries()) {
      const r = rewind.get(e);
      out.set(r && r.offset < e.offset ? { ...e, offset: r.offset, lines: r.lines } : { ...e });
    }
    await out.save();
    saves++;
    lastSave = clock.now();
  };

  const enrich = async (session: CowrieSession, cacheOnly: boolean): Promise<SessionRecord | undefined> => {
    const collector = new IndicatorCollector(options.extract);
    collector.add(session);
    for (const [k, v] of Object.entries(collector.stats) as Array<[keyof ExtractStats, number]>) extractTotals[k] += v;
    const indicators = collector.list();
    const results: ProviderResults = new Map();
    const found: LookupFailure[] = [];
    try {
      await runLookups(gateway, lookupTasks(indicators, plan), {
        plan,
        results,
        failures: found,
        priority: options.priority ?? 'batch',
        ...(cacheOnly ? { cacheOnly: true } : { signal: inner.signal }),
      });
    } catch (err) {
      if (inner.signal.aborted) return undefined; // left for the next run: its holder keeps the state before it
      throw err;
    }
    for (const f of found) {
      // At shutdown, "not cached" is expected and not a failure worth reporting.
      if (cacheOnly && f.code === 'NotCachedError') continue;
      if (failures.length < MAX_KEPT_FAILURES) failures.push(f);
      options.onFailure?.(f);
    }
    await gateway.recordCowrieSession(session, new Date(clock.now()).toISOString().slice(0, 10));
    if (options.watchlist) watchlistAdded += (await addToWatchlist(gateway, options.watchlist, indicators)).added;
    const report = buildCowrieReport({ sessions: [session], indicators, results, ...(options.extract ? { extractOptions: options.extract } : {}) });
    return report.sessions[0];
  };

  /** Enriches in the background; records are delivered in close order. */
  const schedule = (session: CowrieSession, cacheOnly: boolean) => {
    pending++;
    const record = enrich(session, cacheOnly);
    record.catch(() => undefined); // handled in the chain
    chain = chain.then(async () => {
      try {
        if (fatal) return;
        const r = await record;
        if (!r) return;
        await options.onSession(r);
        delivered++;
        forget(session.session);
        await saveState(false);
      } catch (error) {
        fatal ??= { error };
        inner.abort(error);
      } finally {
        pending--;
      }
    });
  };

  try {
    const events = followCowrieLog(options.path, {
      signal: inner.signal,
      clock,
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      ...(state ? { state } : {}),
      ...(options.startAtEnd ? { startAtEnd: true } : {}),
      stats: readStats,
    });
    for await (const event of events) {
      const entry = entryOf(event);
      const at = eventTime(event) ?? null;
      if (at !== null && (lastEventAt === null || at > lastEventAt)) lastEventAt = at;
      const id = typeof event.session === 'string' && event.session !== '' ? event.session : undefined;
      if (id && entry) {
        const h = holders.get(id);
        if (h) h.lastAt = at ?? h.lastAt;
        else if (!recentlyClosed.has(id)) {
          holders.set(id, { entry, offset: before.offset, lines: before.lines, firstAt: at, lastAt: at, closed: false });
        }
      }
      if (entry) before = { offset: entry.offset, lines: entry.lines };
      const closed = builder.push(event);
      // Sessions closed by their close event, then any the builder closed for idleness.
      for (const done of closed ? [closed, ...builder.takeIdle()] : builder.takeIdle()) {
        const h = holders.get(done.session);
        if (h) h.closed = true;
        schedule(done, false);
      }
      if (pending >= maxPending) await chain;
    }
    await chain;
    // Stopped: fragments (late events of delivered sessions) and sessions that stopped holding the state
    // back are delivered as they are, with cached verdicts. Other open sessions wait for the next run
    // when there is a state file; without one they are delivered as they are too.
    for (const s of builder.flush()) {
      if (s.fragment || !state || !holders.has(s.session)) schedule(s, true);
    }
    await chain;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    if (state) {
      await chain.catch(() => undefined);
      await saveState(true);
    }
  }
  if (fatal) throw fatal.error;
  return {
    sessions: delivered,
    providers: [...plan.runs.values()],
    failures,
    read: readStats,
    extract: extractTotals,
    stateSaves: saves,
    watchlistAdded,
  };
}
