import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Clock, systemClock } from '../clock/index.js';
import type { CallKind } from '../providers/types.js';
import { GovernorClosedError, KeyUnhealthyError } from './errors.js';
import { type AttemptResult, WaiterGate } from './gate.js';
import { MemoryGovernor } from './memory.js';
import {
  type ScriptClient,
  type ScriptReply,
  defineScripts,
  firstContact,
  isConnectionError,
  message,
  openConnection,
} from './redis-connection.js';
import { RedisKeyNames } from './redis-keys.js';
import { pushPayload } from './redis-resync.js';
import { acquireArgs, reconcileKeysAndArgs, releaseArgs, releaseKeys } from './redis-scripts.js';
import { LastShared, OwnLedger, localShareLimits, scaledReport, seedFallback } from './redis-share.js';
import { readSnapshot } from './redis-snapshot.js';
import type { RedisGovernorEvent, RedisGovernorOptions } from './redis-types.js';
import { emptyLedger, minuteSpan, simulateEta, summarize } from './state.js';
import type {
  AcquireOptions,
  Governor,
  QuotaLimits,
  QuotaSummary,
  ReconcileReport,
  TryAcquireResult,
} from './types.js';
import { CALENDAR_WINDOWS } from './windows.js';

export type { RedisGovernorEvent, RedisGovernorOptions } from './redis-types.js';

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
  readonly #names: RedisKeyNames;
  readonly #share: number;
  readonly #onEvent: RedisGovernorOptions['onEvent'];
  readonly #instance = randomUUID().slice(0, 8);
  readonly #local: MemoryGovernor;

  readonly #limits = new Map<string, QuotaLimits>();
  readonly #gates = new Map<string, WaiterGate>();
  readonly #ledger = new OwnLedger((key) => minuteSpan(this.#limits.get(key) ?? {}));
  readonly #lastShared = new LastShared();
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
    this.#names = new RedisKeyNames(options.prefix ?? 'vtg:gov:');
    this.#share = Math.min(1, Math.max(0, options.localShare ?? 0.5));
    this.#onEvent = options.onEvent;
    this.#local = new MemoryGovernor({
      clock: this.#clock,
      onGrant: (key, at, kind) => this.#ledger.recordLocal(key, `${this.#instance}:${this.#seq++}`, at, kind),
    });
    const { redis, owns } = openConnection(options.redis);
    this.#redis = redis;
    this.#ownsConnection = owns;
    // connection errors surface on commands, where they switch us to the local share
    this.#redis.on('error', () => {});
    this.#redis.on('ready', () => void (this.#closed ? undefined : this.#resync()));
    const first = this.#redis.status === 'ready' ? null : firstContact(this.#redis);
    this.#firstContact = first?.then(() => this.#contacted()) ?? null;
    this.#scripts = defineScripts(this.#redis);
  }

  #contacted(): void {
    this.#firstContact = null;
  }
  /** Where grants come from right now. */
  get mode(): 'redis' | 'local' | 'syncing' {
    return this.#mode;
  }

  configure(key: string, limits: QuotaLimits): void {
    this.#setLimits(key, limits);
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
    const now = this.#clock.now();
    this.#write(() => this.#scripts.vtgPause(this.#names.k(key, 'pause'), until, now));
    this.#gates.get(key)?.wake();
  }

  setKeyHealthy(key: string, healthy: boolean): void {
    if (healthy) this.#unhealthy.delete(key);
    else this.#unhealthy.add(key);
    this.#local.setKeyHealthy(key, healthy);
    this.#write(() => this.#redis.set(this.#names.k(key, 'health'), healthy ? '1' : '0'));
    this.#gates.get(key)?.wake();
  }

  async release(key: string, options: { kind?: CallKind } = {}): Promise<void> {
    const kind = options.kind ?? 'lookup';
    const last = this.#ledger.forgetLatest(key, kind);
    if (!last) return;
    // a fallback grant not pushed yet lives only in the local share
    if (last.pending || this.#mode === 'syncing') await this.#local.release(key, { kind });
    if (!last.pending) {
      const args = releaseArgs(last.member, kind, this.#clock.now(), this.#limits.get(key) ?? {});
      await this.#shared(() => this.#scripts.vtgRelease(...releaseKeys(this.#names, key, last.at), ...args));
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
    // no wake before the counts are in: a waiter must never see new limits with old counts
    this.#setLimits(key, limits);
    this.#lastShared.noteReported(key, report, now);
    // the local share believes its part of the upstream count
    await this.#local.reconcile(key, scaledReport(report, this.#share));
    await this.#shared(() => this.#scripts.vtgReconcile(...reconcileKeysAndArgs(this.#names, key, now, report)));
    this.#gates.get(key)?.wake();
  }

  async summary(key: string, options: { threshold?: number } = {}): Promise<QuotaSummary> {
    if (this.#firstContact !== null) await this.#firstContact;
    const now = this.#clock.now();
    const shared = this.#mode !== 'redis' ? undefined : await this.#shared(async () => summarize(key, await this.#readShared(key, now), now, options.threshold, 'redis'));
    return shared ?? { ...(await this.#local.summary(key, options)), backend: 'local-fallback' };
  }

  async eta(key: string, calls: number): Promise<number> {
    if (this.#firstContact !== null) await this.#firstContact;
    const now = this.#clock.now();
    const shared = this.#mode !== 'redis' ? undefined : await this.#shared(async () => simulateEta(await this.#readShared(key, now), now, calls));
    return shared ?? this.#local.eta(key, calls);
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

  /** Runs `fn` against Redis unless it is away; a lost connection switches to the local share (undefined). */
  async #shared<T>(fn: () => Promise<T>): Promise<T | undefined> {
    if (this.#mode !== 'redis' && this.#mode !== 'syncing') return undefined;
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      this.#lost(err);
      return undefined;
    }
  }

  #setLimits(key: string, limits: QuotaLimits): void {
    this.#limits.set(key, { ...limits });
    this.#local.configure(key, localShareLimits(limits, this.#share));
  }

  /** The shared state, with this process's own pause (its script may still be on the way). */
  #readShared(key: string, now: number) {
    return readSnapshot(this.#redis, this.#names, key, this.#limits.get(key) ?? {}, now, this.#pausedUntil.get(key) ?? 0);
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
    if (this.#firstContact !== null) await this.#firstContact;
    // our own pause holds at once, even before its script reached Redis
    const paused = (this.#pausedUntil.get(key) ?? 0) - this.#clock.now();
    if (paused > 0 && !this.#unhealthy.has(key)) return { ok: false, wait: paused, reason: 'paused', reserveOnly: false };
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
      this.#lastShared.note(key, { hour: hourUsed, day: dayUsed, month: monthUsed }, this.#clock.now());
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

  async #runAcquire(key: string, options: AcquireOptions): Promise<ScriptReply> {
    const now = this.#clock.now();
    const kind = options.kind ?? 'lookup';
    const member = `${this.#instance}:${this.#seq++}`;
    const limits = this.#limits.get(key) ?? {};
    const args = acquireArgs({ now, member, epoch: this.#epoch ?? '', limits, reserve: options.reserve ?? 0, kind });
    const reply = await this.#scripts.vtgAcquire(...this.#names.script(key, now), ...args);
    if (reply[0] === 0) this.#ledger.record(key, member, now, kind);
    return reply;
  }

  // ---- outage and return ----

  /**
   * A fire-and-forget write, sent after the first connection attempt (before it, the command would
   * fail and wrongly switch to the local share). A lost connection switches to the local share; a
   * script error is a bug.
   */
  #write(fn: () => Promise<unknown>): void {
    void (this.#firstContact ?? Promise.resolve())
      .then(() => (this.#mode === 'local' ? undefined : fn()))
      .catch((err) => {
        if (isConnectionError(err)) this.#lost(err);
        else process.emitWarning(`redis governor: ${message(err)}`);
      });
  }

  /** Redis failed under us: serve from the local share (seeded conservatively) until it returns. */
  #lost(err: unknown): void {
    if (this.#closed || this.#mode === 'local') return;
    const wasSyncing = this.#mode === 'syncing';
    this.#mode = 'local';
    this.#grace?.abort();
    if (!wasSyncing) {
      const now = this.#clock.now();
      for (const key of new Set([...this.#limits.keys(), ...this.#ledger.own.keys()])) {
        const seed = seedFallback({
          limits: localShareLimits(this.#limits.get(key) ?? {}, this.#share),
          now,
          share: this.#share,
          lastShared: this.#lastShared.get(key),
          pausedUntil: this.#pausedUntil.get(key) ?? 0,
          healthy: !this.#unhealthy.has(key),
          ledger: this.#ledger.own.get(key)?.ledger ?? emptyLedger(),
        });
        this.#local.load(key, seed);
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
    if (this.#resyncing !== null) return this.#resyncing;
    this.#resyncing = (async () => {
      try {
        await this.#redis.set(this.#names.epoch, randomUUID(), 'NX');
        const current = await this.#redis.get(this.#names.epoch);
        const dataLost = this.#epoch !== null && current !== this.#epoch;
        let pushed = 0;
        const keys = new Set([...this.#ledger.keys(), ...this.#limits.keys()]);
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
    const graceMs = Math.max(60_000, ...[...this.#limits.values()].map((l) => minuteSpan(l)));
    const grace = new AbortController();
    this.#grace = grace;
    this.#clock.sleep(graceMs, grace.signal).then(
      async () => {
        if (this.#mode !== 'syncing' || this.#grace !== grace) return;
        try {
          for (const key of [...this.#ledger.pending.keys()]) await this.#flushPending(key);
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
    const pending = this.#ledger.pending.get(key) ?? [];
    const taken = pending.length;
    const out = pushPayload({
      now,
      limits: this.#limits.get(key) ?? {},
      everything,
      own: this.#ledger.own.get(key),
      pending: pending.slice(0, taken),
      pausedUntil: this.#pausedUntil.get(key) ?? 0,
      unhealthy: this.#unhealthy.has(key),
    });
    if (!out) return 0;
    await this.#scripts.vtgPush(...this.#names.script(key, now), JSON.stringify(out.payload));
    pending.splice(0, taken); // grants counted while the push ran stay pending for the next one
    return out.count;
  }

  #emit(e: RedisGovernorEvent): void {
    try {
      this.#onEvent?.(e);
    } catch {
      // a broken listener must not break the governor
    }
  }
}
