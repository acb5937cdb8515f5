/**
 * Leases over the cluster link: a named lock held by one instance, renewed every third of its
 * length, lost (its signal aborts) when another instance holds it. While Redis is away the holder
 * keeps it (nobody else can take it); an instance that dies stops renewing and the lease expires.
 */
import type { ClusterLink } from './link.js';

export class Lease {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  #released = false;

  private constructor(
    private readonly link: ClusterLink,
    readonly name: string,
    private token: string | null,
    private readonly ttlMs: number,
  ) {
    this.#timer = setInterval(() => void this.#renew(), Math.max(200, Math.floor(ttlMs / 3)));
    this.#timer.unref();
  }

  /**
   * Takes the lease if it is free. `local: true` also gives one (held locally, shared once Redis
   * answers) when Redis is away: for work this instance started itself, never for takeovers.
   */
  static async take(link: ClusterLink, name: string, ttlMs: number, options: { local?: boolean } = {}): Promise<Lease | undefined> {
    const attempt = await link.tryLock(name, ttlMs);
    if (attempt.state === 'acquired') return new Lease(link, name, attempt.token, ttlMs);
    if (attempt.state === 'unavailable' && options.local) return new Lease(link, name, null, ttlMs);
    return undefined;
  }

  /** Aborted when another instance holds the lease. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get lost(): boolean {
    return this.#controller.signal.aborted;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    if (this.token && !this.lost) await this.link.release(this.name, this.token);
  }

  async #renew(): Promise<void> {
    if (this.#released || this.lost) return;
    if (this.token === null) {
      // held locally while Redis was away: share it now, unless another instance took it meanwhile
      const attempt = await this.link.tryLock(this.name, this.ttlMs);
      if (attempt.state === 'acquired') this.token = attempt.token;
      else if (attempt.state === 'held') this.#lose();
      return;
    }
    const ok = await this.link.renew(this.name, this.token, this.ttlMs);
    if (ok === false) this.#lose();
  }

  #lose(): void {
    clearInterval(this.#timer);
    this.#controller.abort(new LeaseLostError(this.name));
  }
}

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor(lease: string) {
    super(`another instance holds ${lease}`);
  }
}

/**
 * A role one instance plays for the whole cluster (scheduled harvest, rotation, reconciliation):
 * every instance keeps trying to take it; the holder runs `start`, and `stop` when it loses it.
 */
export class ClusterRole {
  readonly #timer: NodeJS.Timeout;
  #lease: Lease | undefined;
  #busy = false;
  #closed = false;

  constructor(
    private readonly link: ClusterLink,
    readonly name: string,
    private readonly ttlMs: number,
    private readonly work: { start(): void | Promise<void>; stop(): void | Promise<void> },
  ) {
    this.#timer = setInterval(() => void this.#tick(), Math.max(200, Math.floor(ttlMs / 3)));
    this.#timer.unref();
    void this.#tick();
  }

  get held(): boolean {
    return this.#lease !== undefined && !this.#lease.lost;
  }

  async #tick(): Promise<void> {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    try {
      if (this.#lease?.lost) {
        this.#lease = undefined;
        await this.work.stop();
      }
      if (!this.#lease) {
        const lease = await Lease.take(this.link, this.name, this.ttlMs);
        if (lease && this.#closed) await lease.release();
        else if (lease) {
          this.#lease = lease;
          await this.work.start();
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    while (this.#busy) await new Promise((r) => setTimeout(r, 20));
    const lease = this.#lease;
    this.#lease = undefined;
    if (lease) {
      await this.work.stop();
      await lease.release();
    }
  }
}
