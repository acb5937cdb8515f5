/**
 * The cluster's connection to Redis: named locks with leases (SET NX PX, renewed and released only
 * by their holder), pub/sub, and the state (`ready` or `down`). It never throws at callers for a
 * lost connection: a lock attempt answers `unavailable` and a publish is dropped, at once.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

export type LinkState = 'ready' | 'down';
export type LockAttempt = { state: 'acquired'; token: string } | { state: 'held' } | { state: 'unavailable' };

const PREFIX = 'vtg:cluster:';

// Keeps the lock when it is ours; takes it again when it vanished (Redis restarted empty).
const RENEW = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

type ScriptClient = Redis & {
  vtgRenew(key: string, token: string, ttlMs: number): Promise<number>;
  vtgRelease(key: string, token: string): Promise<number>;
};

export class ClusterLink {
  readonly instanceId: string;
  readonly #client: ScriptClient;
  readonly #sub: Redis;
  readonly #handlers = new Map<string, Set<(message: string) => void>>();
  #closed = false;
  #errors = 0;

  constructor(url: string, instanceId: string) {
    this.instanceId = instanceId;
    const options: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      connectTimeout: 1000,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 1000),
    };
    this.#client = new Redis(url, options) as ScriptClient;
    this.#client.defineCommand('vtgRenew', { numberOfKeys: 1, lua: RENEW });
    this.#client.defineCommand('vtgRelease', { numberOfKeys: 1, lua: RELEASE });
    this.#client.on('error', () => {
      this.#errors++;
    });
    // the subscriber resubscribes by itself after a reconnect
    this.#sub = new Redis(url, { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    this.#sub.on('error', () => {});
    this.#sub.on('message', (channel: string, message: string) => {
      for (const fn of this.#handlers.get(channel) ?? []) fn(message);
    });
  }

  get state(): LinkState {
    return !this.#closed && this.#client.status === 'ready' ? 'ready' : 'down';
  }

  /** Connection errors and failed commands so far. */
  get errors(): number {
    return this.#errors;
  }

  /** Resolves when the first connection is up, or after `ms` (then the link is `down`). */
  async connected(ms = 2000): Promise<void> {
    if (this.#client.status === 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((r) => this.#client.once('ready', () => r())), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  key(name: string): string {
    return PREFIX + name;
  }

  async tryLock(name: string, ttlMs: number): Promise<LockAttempt> {
    if (this.state !== 'ready') return { state: 'unavailable' };
    const token = `${this.instanceId}/${randomUUID()}`;
    try {
      const ok = await this.#client.set(this.key(name), token, 'PX', ttlMs, 'NX');
      return ok === 'OK' ? { state: 'acquired', token } : { state: 'held' };
    } catch {
      this.#errors++;
      return { state: 'unavailable' };
    }
  }

  /** True while the lock is ours (or was free and is ours again); false when another holds it; null when Redis is away. */
  async renew(name: string, token: string, ttlMs: number): Promise<boolean | null> {
    if (this.state !== 'ready') return null;
    try {
      return (await this.#client.vtgRenew(this.key(name), token, ttlMs)) === 1;
    } catch {
      this.#errors++;
      return null;
    }
  }

  async release(name: string, token: string): Promise<void> {
    if (this.state !== 'ready') return;
    try {
      await this.#client.vtgRelease(this.key(name), token);
    } catch {
      this.#errors++;
    }
  }

  /** Whether a lock is held by anyone: null when Redis is away. */
  async held(name: string): Promise<boolean | null> {
    if (this.state !== 'ready') return null;
    try {
      return (await this.#client.exists(this.key(name))) === 1;
    } catch {
      this.#errors++;
      return null;
    }
  }

  /** The holder's instance id, or null when free or unknown. */
  async holder(name: string): Promise<string | null> {
    if (this.state !== 'ready') return null;
    try {
      const v = await this.#client.get(this.key(name));
      return v ? v.slice(0, v.lastIndexOf('/')) : null;
    } catch {
      this.#errors++;
      return null;
    }
  }

  /** Keeps a short-lived value (a shared answer) for `ttlMs`; false when Redis is away or refused it. */
  async put(name: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.state !== 'ready') return false;
    try {
      return (await this.#client.set(this.key(name), value, 'PX', ttlMs)) === 'OK';
    } catch {
      this.#errors++;
      return false;
    }
  }

  /** A value `put` left, or null (none, expired, or Redis away). */
  async value(name: string): Promise<string | null> {
    if (this.state !== 'ready') return null;
    try {
      return await this.#client.get(this.key(name));
    } catch {
      this.#errors++;
      return null;
    }
  }

  publish(channel: string, message: string): void {
    if (this.state !== 'ready') return;
    this.#client.publish(this.key(channel), message).catch(() => {
      this.#errors++;
    });
  }

  subscribe(channel: string, fn: (message: string) => void): void {
    const full = this.key(channel);
    let set = this.#handlers.get(full);
    if (!set) {
      set = new Set();
      this.#handlers.set(full, set);
      this.#sub.subscribe(full).catch(() => undefined);
    }
    set.add(fn);
  }

  /** The raw client for the presence records (same no-queue, short-timeout behaviour). */
  get client(): Redis {
    return this.#client;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.disconnect();
    this.#sub.disconnect();
  }
}
