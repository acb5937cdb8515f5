import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Clock, systemClock } from '../clock/index.js';
import type { CallKind } from '../providers/types.js';
import { GovernorClosedError, KeyUnhealthyError } from './errors.js';
import { type AttemptResult, WaiterGate } from './gate.js';
import { MemoryGovernor } from './memory.js';
import { ACQUIRE_LUA, PAUSE_LUA, PUSH_LUA, RECONCILE_LUA } from './redis-scripts.js';
import { type OwnGrants, localShareLimits, seedFallback } from './redis-share.js';
import {
  CALL_KINDS,
  type QuotaSnapshot,
  bucketParams,
  emptyLedger,
  emptySnapshot,
  minuteSpan,
  reservedLimit,
  simulateEta,
  summarize,
} from './state.js';
import type {
  AcquireOptions,
  CalendarWindow,
  Governor,
  QuotaLimits,
  QuotaSummary,
  ReconcileReport,
  TryAcquireResult,
} from './types.js';
import { CALENDAR_WINDOWS, windowEnd, windowStart } from './windows.js';

export type RedisGovernorEvent =
  /** Redis is unreachable: this process now serves from its local share of every limit. */
  | { type: 'fallback'; error: string }
  /** Redis answered again: counts made meanwhile were added to the shared counters. */
  | { type: 'resync'; pushed: number; dataLost: boolean }
  /** Back on the shared counters after the resync grace period. */
  | { type: 'shared' };

export interface RedisGovernorOptions {
  /** a URL (the governor opens and closes its own connection) or a client you own */
  redis: string | Redis;
  clock?: Clock;
  /** key prefix, default 'vtg:gov:' */
  prefix?: string;
  /**
   * Fraction of each limit this process may use while Redis is unreachable (default 0.5, i.e. two
   * instances; use 1/N for N instances). Each limit gets at least 1. It assumes every instance lost
   * Redis together (a Redis outage, not a partition of one instance).
   */
  localShare?: number;
  onEvent?: (e: RedisGovernorEvent) => void;
}

type ScriptReply = [number, number, string, number, number, number, number];

interface ScriptClient {
  vtgAcquire(...args: Array<string | number>): Promise<ScriptReply>;
  vtgPush(...args: string[]): Promise<number>;
  vtgReconcile(...args: Array<string | number>): Promise<number>;
  vtgPause(...args: Array<string | number>): Promise<number>;
}

interface PendingGrant {
  member: string;
  at: number;
  kind: CallKind;
}

/** Resolves when the first connection attempt ends either way (bounded in real time). */
function firstContact(redis: Redis): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('error', done);
      redis.off('end', done);
      resolve();
    };
    const timer = setTimeout(done, 2000);
    timer.unref();
    redis.once('ready', done);
    redis.once('error', done);
    redis.once('end', done);
  });
}

function isConnectionError(err: unknown): boolean {
  return !(err instanceof Error && err.name === 'ReplyError');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Governor shared by every process that uses the same Redis: one Lua script per grant checks and
 * counts all windows atomically. When Redis is unreachable it keeps serving from an internal
 * MemoryGovernor holding `localShare` of each limit; when Redis returns it pushes what it counted
 * meanwhile, keeps using the local share for one more sliding minute (so every instance has pushed
 * too), then goes back to the shared counters.
 */
export class RedisGovernor implements Governor {
  readonly #redis: Redis;
  readonly #scripts: ScriptClient;
  readonly #ownsConnection: boolean;
  readonly #clock: Clock;
  readonly #prefix: string;
  readonly #share: number;
  readonly #onEvent: RedisGovernorOptions['onEvent'];
  readonly #instance = randomUUID().slice(0, 8);
  readonly #local: MemoryGovernor;

  readonly #limits = new Map<string, QuotaLimits>();
  readonly #gates = new Map<string, WaiterGate>();
  readonly #own = new Map<string, OwnGrants>();
  readonly #pending = new Map<string, PendingGrant[]>();
  readonly #lastShared = new Map<string, Partial<Record<CalendarWindow, { start: number; used: number }>>>();
  readonly #pausedUntil = new Map<string, number>();
  readonly #unhealthy = new Set<string>();

  #mode: 'redis' | 'local' | 'syncing' = 'redis';
  #epoch: string | null = null;
  #seq = 0;
  #closed = false;
  #resyncing: Promise<void> | null = null;
  #grace: AbortController | null = null;
  /** until the first connection attempt ends, commands wait for it instead of failing over */
  #firstContact: Promise<void> | null;

  constructor(options: RedisGovernorOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#prefix = options.prefix ?? 'vtg:gov:';
    this.#share = Math.min(1, Math.max(0, options.localShare ?? 0.5));
    this.#onEvent = options.onEvent;
    this.#local = new MemoryGovernor({ clock: this.#clock, onGrant: (key, at, kind) => this.#localGrant(key, at, kind) });
    if (typeof options.redis === 'string') {
      this.#redis = new Redis(options.redis, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 1000,
        commandTimeout: 2000,
        retryStrategy: (times) => Math.min(50 * times, 500),
      });
      this.#ownsConnection = true;
    } else {
      this.#redis = options.redis;
      this.#ownsConnection = false;
    }
    this.#redis.on('error', () => {
      // connection errors surface on commands, where they switch us to the local share
    });
    this.#redis.on('ready', () => {
      if (!this.#closed) void this.#resync();
    });
    this.#firstContact =
      this.#redis.status === 'ready'
        ? null
        : firstContact(this.#redis).then(() => {
            this.#firstContact = null;
          });
    this.#redis.defineCommand('vtgAcquire', { numberOfKeys: 9, lua: ACQUIRE_LUA });
    this.#redis.defineCommand('vtgPush', { numberOfKeys: 9, lua: PUSH_LUA });
    this.#redis.defineCommand('vtgReconcile', { numberOfKeys: 4, lua: RECONCILE_LUA });
    this.#redis.defineCommand('vtgPause', { numberOfKeys: 1, lua: PAUSE_LUA });
    this.#scripts = this.#redis as unknown as ScriptClient;
  }

  /** Where grants come from right now. */
  get mode(): 'redis' | 'local' | 'syncing' {
    return this.#mode;
  }

  configure(key: string, limits: QuotaLimits): void {
    this.#limits.set(key, { ...limits });
    this.#local.configure(key, localShareLimits(limits, this.#share));
    this.#gates.get(key)?.wake();
  }

  limits(key: string): QuotaLimits {
    return { ...(this.#limits.get(key) ?? {}) };
  }

  acquire(key: string, options: AcquireOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new GovernorClosedError());
    return this.#gate(key).enqueue(options);
  }

  async tryAcquire(key: string, options: AcquireOptions = {}): Promise<TryAcquireResult> {
    if (this.#closed) throw new GovernorClosedError();
    const gate = this.#gates.get(key);
    if (gate && gate.size > 0) return { ok: false, retryInMs: 1, reason: 'queued' };
    const r = await this.#attempt(key, options);
    return r.ok ? r : { ok: false, retryInMs: r.wait, reason: r.reason };
  }

  pause(key: string, until: number): void {
    this.#pausedUntil.set(key, Math.max(this.#pausedUntil.get(key) ?? 0, until));
    this.#local.pause(key, until);
    if (this.#mode !== 'local') {
      this.#scripts.vtgPause(this.#k(key, 'pause'), until, this.#clock.now()).catch((err) => this.#lostIf(err));
    }
    this.#gates.get(key)?.wake();
  }

  setKeyHealthy(key: string, healthy: boolean): void {
    if (healthy) this.#unhealthy.delete(key);
    else this.#unhealthy.add(key);
    this.#local.setKeyHealthy(key, healthy);
    if (this.#mode !== 'local') {
      this.#redis.set(this.#k(key, 'health'), healthy ? '1' : '0').catch((err) => this.#lostIf(err));
    }
    this.#gates.get(key)?.wake();
  }

  async reconcile(key: string, report: ReconcileReport): Promise<void> {
    const now = this.#clock.now();
    const limits = { ...(this.#limits.get(key) ?? {}) };
    for (const w of CALENDAR_WINDOWS) {
      const allowed = report[w]?.allowed;
      if (allowed !== undefined && allowed > 0) limits[w] = allowed;
    }
    this.configure(key, limits);
    const shared = this.#lastShared.get(key) ?? {};
    for (const w of CALENDAR_WINDOWS) {
      const r = report[w];
      if (!r) continue;
      const start = windowStart(w, now);
      const prev = shared[w]?.start === start ? (shared[w]?.used ?? 0) : 0;
      shared[w] = { start, used: Math.max(prev, r.used) };
    }
    this.#lastShared.set(key, shared);
    // the local share believes its part of the upstream count
    const scaled: ReconcileReport = {};
    for (const w of CALENDAR_WINDOWS) {
      const r = report[w];
      if (r) scaled[w] = { used: Math.ceil(r.used * this.#share) };
    }
    await this.#local.reconcile(key, scaled);
    if (this.#mode !== 'local') {
      const args: Array<string | number> = [
        ...CALENDAR_WINDOWS.map((w) => this.#windowKey(key, w, now)),
        this.#k(key, 'meta'),
        now,
      ];
      for (const w of CALENDAR_WINDOWS) args.push(report[w]?.used ?? -1, windowEnd(w, now) - now);
      try {
        await this.#scripts.vtgReconcile(...args);
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        this.#lost(err);
      }
    }
    this.#gates.get(key)?.wake();
  }

  async summary(key: string, options: { threshold?: number } = {}): Promise<QuotaSummary> {
    if (this.#firstContact) await this.#firstContact;
    const now = this.#clock.now();
    if (this.#mode === 'redis') {
      try {
        const snap = await this.#readSnapshot(key, now);
        return summarize(key, snap, now, options.threshold, 'redis');
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        this.#lost(err);
      }
    }
    const s = await this.#local.summary(key, options);
    return { ...s, backend: 'local-fallback' };
  }

  async eta(key: string, calls: number): Promise<number> {
    if (this.#firstContact) await this.#firstContact;
    const now = this.#clock.now();
    if (this.#mode === 'redis') {
      try {
        return simulateEta(await this.#readSnapshot(key, now), now, calls);
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        this.#lost(err);
      }
    }
    return this.#local.eta(key, calls);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#grace?.abort();
    for (const gate of this.#gates.values()) gate.rejectAll(new GovernorClosedError());
    await this.#local.close();
    if (this.#ownsConnection) {
      try {
        await this.#redis.quit();
      } catch {
        this.#redis.disconnect();
      }
    }
  }

  // ---- grants ----

  #gate(key: string): WaiterGate {
    let g = this.#gates.get(key);
    if (!g) {
      g = new WaiterGate(this.#clock, (o) => this.#attempt(key, o));
      this.#gates.set(key, g);
    }
    return g;
  }

  async #attempt(key: string, options: AcquireOptions): Promise<AttemptResult> {
    if (this.#closed) throw new GovernorClosedError();
    if (this.#firstContact) await this.#firstContact;
    for (let round = 0; round < 3 && this.#mode === 'redis'; round++) {
      let reply: ScriptReply;
      try {
        reply = await this.#runAcquire(key, options);
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        this.#lost(err);
        break;
      }
      const [code, wait, reason, , hourUsed, dayUsed, monthUsed] = reply;
      if (code === -2) {
        await this.#resync();
        continue;
      }
      if (code === -1) throw new KeyUnhealthyError(key);
      this.#noteShared(key, { hour: hourUsed, day: dayUsed, month: monthUsed });
      if (code === 0) return { ok: true };
      return { ok: false, wait: Number(wait), reason, reserveOnly: reason === 'reserve' };
    }
    if (this.#mode === 'redis') throw new Error('the shared quota state keeps changing under us; try again');
    const r = await this.#local.tryAcquire(key, options);
    if (r.ok) {
      if (this.#mode === 'syncing') await this.#flushPending(key);
      return r;
    }
    return { ok: false, wait: r.retryInMs, reason: r.reason, reserveOnly: r.reason === 'reserve' };
  }

  #runAcquire(key: string, options: AcquireOptions): Promise<ScriptReply> {
    const now = this.#clock.now();
    const limits = this.#limits.get(key) ?? {};
    const reserve = options.reserve ?? 0;
    const member = `${this.#instance}:${this.#seq++}`;
    const bucket = bucketParams(limits);
    const lim = (v: number | undefined) => (v === undefined ? -1 : v);
    const reserved = (w: 'day' | 'month') => {
      const v = limits[w];
      return v === undefined ? -1 : reservedLimit(v, w, reserve);
    };
    const promise = this.#scripts.vtgAcquire(
      ...this.#scriptKeys(key, now),
      now,
      member,
      this.#epoch ?? '',
      lim(limits.minute),
      minuteSpan(limits),
      lim(limits.hour),
      lim(limits.day),
      lim(limits.month),
      reserved('day'),
      reserved('month'),
      windowEnd('hour', now) - now,
      windowEnd('day', now) - now,
      windowEnd('month', now) - now,
      bucket ? bucket.ratePerMs : 0,
      bucket ? bucket.burst : 0,
      options.kind ?? 'lookup',
    );
    return promise.then((reply) => {
      if (reply[0] === 0) this.#ownGrant(key, member, now, options.kind ?? 'lookup');
      return reply;
    });
  }

  // ---- what this process counted (pushed back after an outage) ----

  #ownGrant(key: string, member: string, at: number, kind: CallKind): void {
    let own = this.#own.get(key);
    if (!own) {
      own = { minute: [], calendar: {}, ledger: emptyLedger() };
      this.#own.set(key, own);
    }
    const span = minuteSpan(this.#limits.get(key) ?? {});
    own.minute.push({ member, at });
    while (own.minute.length > 0 && (own.minute[0]?.at ?? 0) <= at - span) own.minute.shift();
    for (const w of CALENDAR_WINDOWS) {
      const start = windowStart(w, at);
      const c = own.calendar[w];
      if (c && c.start === start) c.used++;
      else if (!c || c.start < start) own.calendar[w] = { start, used: 1 };
    }
    own.ledger[kind]++;
  }

  #localGrant(key: string, at: number, kind: CallKind): void {
    const member = `${this.#instance}:${this.#seq++}`;
    this.#ownGrant(key, member, at, kind);
    let list = this.#pending.get(key);
    if (!list) {
      list = [];
      this.#pending.set(key, list);
    }
    list.push({ member, at, kind });
  }

  #noteShared(key: string, used: Record<CalendarWindow, number>): void {
    const now = this.#clock.now();
    const shared = this.#lastShared.get(key) ?? {};
    for (const w of CALENDAR_WINDOWS) shared[w] = { start: windowStart(w, now), used: Number(used[w]) };
    this.#lastShared.set(key, shared);
  }

  // ---- outage and return ----

  /** For fire-and-forget writes: a lost connection switches to the local share; a script error is a bug. */
  #lostIf(err: unknown): void {
    if (isConnectionError(err)) this.#lost(err);
    else process.emitWarning(`redis governor: ${message(err)}`);
  }

  /** Redis failed under us: serve from the local share (seeded conservatively) until it returns. */
  #lost(err: unknown): void {
    if (this.#closed || this.#mode === 'local') return;
    const wasSyncing = this.#mode === 'syncing';
    this.#mode = 'local';
    this.#grace?.abort();
    if (!wasSyncing) {
      const now = this.#clock.now();
      const keys = new Set([...this.#limits.keys(), ...this.#own.keys()]);
      for (const key of keys) {
        const limits = localShareLimits(this.#limits.get(key) ?? {}, this.#share);
        const own = this.#own.get(key);
        this.#local.load(
          key,
          seedFallback({
            limits,
            now,
            share: this.#share,
            lastShared: this.#lastShared.get(key) ?? {},
            pausedUntil: this.#pausedUntil.get(key) ?? 0,
            healthy: !this.#unhealthy.has(key),
            ledger: own ? own.ledger : emptyLedger(),
          }),
        );
      }
    }
    this.#emit({ type: 'fallback', error: message(err) });
    for (const gate of this.#gates.values()) gate.wake();
  }

  /**
   * Makes sure Redis holds our counts: on first contact, after a reconnect, or when the acquire
   * script finds the epoch changed (Redis restarted empty: push everything we counted this window).
   */
  #resync(): Promise<void> {
    if (this.#resyncing) return this.#resyncing;
    this.#resyncing = (async () => {
      try {
        await this.#redis.set(this.#prefix + 'epoch', randomUUID(), 'NX');
        const current = await this.#redis.get(this.#prefix + 'epoch');
        const dataLost = this.#epoch !== null && current !== this.#epoch;
        let pushed = 0;
        const keys = new Set([...this.#own.keys(), ...this.#pending.keys(), ...this.#limits.keys()]);
        for (const key of keys) pushed += await this.#push(key, dataLost);
        this.#epoch = current;
        if (this.#mode === 'local' || pushed > 0 || dataLost) this.#emit({ type: 'resync', pushed, dataLost });
        if (this.#mode === 'local') this.#startGrace();
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        this.#lost(err);
      } finally {
        this.#resyncing = null;
      }
    })();
    return this.#resyncing;
  }

  /** Keeps the local share for one more sliding window while other instances push their counts. */
  #startGrace(): void {
    this.#mode = 'syncing';
    const spans = [...this.#limits.values()].map((l) => minuteSpan(l));
    const graceMs = Math.max(60_000, ...spans);
    const grace = new AbortController();
    this.#grace = grace;
    this.#clock.sleep(graceMs, grace.signal).then(
      async () => {
        if (this.#mode !== 'syncing' || this.#grace !== grace) return;
        try {
          for (const key of [...this.#pending.keys()]) await this.#flushPending(key);
        } catch {
          return;
        }
        if (this.#mode !== 'syncing') return;
        this.#mode = 'redis';
        this.#emit({ type: 'shared' });
        for (const gate of this.#gates.values()) gate.wake();
      },
      () => {},
    );
  }

  async #flushPending(key: string): Promise<void> {
    try {
      await this.#push(key, false);
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      this.#lost(err);
    }
  }

  /** Pushes pending local grants (or, when Redis lost its data, all we counted in the current windows). */
  async #push(key: string, everything: boolean): Promise<number> {
    const now = this.#clock.now();
    const limits = this.#limits.get(key) ?? {};
    const span = minuteSpan(limits);
    const pending = this.#pending.get(key) ?? [];
    const taken = pending.length;
    const inc: Record<CalendarWindow, number> = { hour: 0, day: 0, month: 0 };
    const ledger: Partial<Record<CallKind, number>> = {};
    let grants: Array<[string, number]>;
    let bucketAt = 0;
    if (everything) {
      const own = this.#own.get(key);
      grants = (own?.minute ?? []).map((g) => [g.member, g.at]);
      for (const w of CALENDAR_WINDOWS) {
        const c = own?.calendar[w];
        if (c && c.start === windowStart(w, now)) inc[w] = c.used;
      }
      for (const k of CALL_KINDS) if (own && own.ledger[k] > 0) ledger[k] = own.ledger[k];
      bucketAt = own?.minute.at(-1)?.at ?? 0;
    } else {
      const batch = pending.slice(0, taken);
      grants = batch.map((g) => [g.member, g.at]);
      for (const g of batch) {
        for (const w of CALENDAR_WINDOWS) if (windowStart(w, g.at) === windowStart(w, now)) inc[w]++;
        ledger[g.kind] = (ledger[g.kind] ?? 0) + 1;
        bucketAt = Math.max(bucketAt, g.at);
      }
    }
    const paused = this.#pausedUntil.get(key) ?? 0;
    const unhealthy = this.#unhealthy.has(key);
    if (grants.length === 0 && inc.month === 0 && paused <= now && !unhealthy && taken === 0) return 0;
    const payload = {
      now,
      span,
      grants,
      hour: inc.hour,
      day: inc.day,
      month: inc.month,
      hourTtl: windowEnd('hour', now) - now,
      dayTtl: windowEnd('day', now) - now,
      monthTtl: windowEnd('month', now) - now,
      pausedUntil: paused,
      unhealthy,
      bucketAt: bucketParams(limits) ? bucketAt : 0,
      ledger,
    };
    await this.#scripts.vtgPush(
      ...this.#scriptKeys(key, now),
      JSON.stringify(payload),
    );
    // grants counted while the push ran stay pending for the next one
    pending.splice(0, taken);
    return everything ? inc.month : taken;
  }

  // ---- reading the shared state ----

  async #readSnapshot(key: string, now: number): Promise<QuotaSnapshot> {
    const limits = this.#limits.get(key) ?? {};
    const span = minuteSpan(limits);
    const res = await this.#redis
      .pipeline()
      .zrangebyscore(this.#k(key, 'min'), `(${now - span}`, '+inf', 'WITHSCORES')
      .get(this.#windowKey(key, 'hour', now))
      .get(this.#windowKey(key, 'day', now))
      .get(this.#windowKey(key, 'month', now))
      .hmget(this.#k(key, 'bucket'), 'tokens', 'at')
      .get(this.#k(key, 'pause'))
      .get(this.#k(key, 'health'))
      .hgetall(this.#k(key, 'ledger'))
      .hget(this.#k(key, 'meta'), 'lastReconciledAt')
      .exec();
    if (!res) throw new Error('redis pipeline returned nothing');
    for (const [err] of res) if (err) throw err;
    const v = res.map(([, value]) => value);
    const minuteRaw = (v[0] as string[]) ?? [];
    const minute: number[] = [];
    for (let i = 1; i < minuteRaw.length; i += 2) minute.push(Number(minuteRaw[i]));
    const snap = emptySnapshot(limits);
    snap.minute = minute.sort((a, b) => a - b);
    CALENDAR_WINDOWS.forEach((w, i) => {
      snap.calendar[w] = { start: windowStart(w, now), used: Number(v[1 + i] ?? 0) };
    });
    const [tokens, at] = (v[4] as Array<string | null>) ?? [];
    if (tokens != null && at != null) snap.bucket = { tokens: Number(tokens), at: Number(at) };
    snap.pausedUntil = Number(v[5] ?? 0);
    snap.healthy = v[6] !== '0';
    const ledger = (v[7] as Record<string, string>) ?? {};
    for (const k of CALL_KINDS) snap.ledger[k] = Number(ledger[k] ?? 0);
    snap.lastReconciledAt = v[8] == null ? null : Number(v[8]);
    return snap;
  }

  #k(key: string, part: string): string {
    return `${this.#prefix}${key}:${part}`;
  }

  /** The Redis keys the acquire and push scripts touch for `key`, in the order they expect. */
  #scriptKeys(key: string, now: number): string[] {
    return [
      this.#prefix + 'epoch',
      this.#k(key, 'min'),
      this.#windowKey(key, 'hour', now),
      this.#windowKey(key, 'day', now),
      this.#windowKey(key, 'month', now),
      this.#k(key, 'bucket'),
      this.#k(key, 'pause'),
      this.#k(key, 'health'),
      this.#k(key, 'ledger'),
    ];
  }

  #windowKey(key: string, w: CalendarWindow, now: number): string {
    return this.#k(key, `${w}:${windowStart(w, now)}`);
  }

  #emit(e: RedisGovernorEvent): void {
    try {
      this.#onEvent?.(e);
    } catch {
      // a broken listener must not break the governor
    }
  }
}
