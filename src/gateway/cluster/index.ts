/**
 * Cluster mode: several gateway instances on one Redis behave as one. Composed by the runtime when
 * Redis is configured: cross-instance single-flight, cache invalidation of every memory tier,
 * leases for batches and for the work one instance does for all (harvest, rotation,
 * reconciliation), and the live instances' figures.
 */
import type { CacheChange } from '../../cache/index.js';
import { ClusterFlights } from './flights.js';
import { ClusterRole, Lease } from './lease.js';
import { ClusterLink, type LinkState } from './link.js';
import { type InstanceRecord, Presence } from './presence.js';

export { ClusterFlights, type FlightStats } from './flights.js';
export { ClusterRole, Lease, LeaseLostError } from './lease.js';
export type { InstanceRecord } from './presence.js';

export interface ClusterOptions {
  url: string;
  instanceId: string;
  leaseMs: number;
  startedAt: number;
  /** This instance's counters, published with its heartbeat and summed into the cluster's figures. */
  counters: () => Record<string, number>;
  /** False for one-shot processes (CLI commands): not counted among the instances (default true). */
  announce?: boolean;
}

export interface ClusterStatus {
  instanceId: string;
  redis: LinkState;
  /** Live instances (by their heartbeats); this one alone while Redis is away. */
  instances: Array<{ id: string; startedAt: number }>;
  /** Roles this instance holds for the cluster (`background`: scheduled harvest, rotation, reconciliation). */
  roles: string[];
  /** The share of each quota limit this instance uses while Redis is away. */
  fallbackShare: number;
}

export class Cluster {
  readonly flights: ClusterFlights;
  readonly #link: ClusterLink;
  readonly #presence: Presence;
  readonly #roles: ClusterRole[] = [];
  readonly #leaseMs: number;
  readonly #startedAt: number;

  private constructor(link: ClusterLink, options: ClusterOptions) {
    this.#link = link;
    this.#startedAt = options.startedAt;
    this.#leaseMs = options.leaseMs;
    this.flights = new ClusterFlights(link, options.leaseMs);
    const every = Math.max(250, Math.min(2000, Math.floor(options.leaseMs / 5)));
    this.#presence = new Presence(link, options.startedAt, options.counters, every, options.announce !== false);
  }

  static async open(options: ClusterOptions): Promise<Cluster> {
    const link = new ClusterLink(options.url, options.instanceId);
    await link.connected();
    const cluster = new Cluster(link, options);
    await cluster.#presence.beat();
    return cluster;
  }

  get instanceId(): string {
    return this.#link.instanceId;
  }

  get leaseMs(): number {
    return this.#leaseMs;
  }

  /** 1 / the instances last seen alive: each one's share of the quota while Redis is away. */
  get share(): number {
    return this.#presence.share;
  }

  /** A lease on `name` when free (`local`: also when Redis is away, for work this instance started). */
  lease(name: string, options: { local?: boolean } = {}): Promise<Lease | undefined> {
    return Lease.take(this.#link, name, this.#leaseMs, options);
  }

  /** Runs `work` on one instance of the cluster at a time (taken over when its holder dies). */
  role(name: string, work: { start(): void | Promise<void>; stop(): void | Promise<void> }): void {
    this.#roles.push(new ClusterRole(this.#link, `role:${name}`, this.#leaseMs, work));
  }

  /** Tells the other instances about a cache write or delete. */
  publishCacheChange(change: CacheChange): void {
    this.#link.publish('cache', JSON.stringify({ from: this.instanceId, change }));
  }

  onCacheChange(fn: (change: CacheChange) => void): void {
    this.#link.subscribe('cache', (text) => {
      try {
        const msg = JSON.parse(text) as { from: string; change: CacheChange };
        if (msg.from !== this.instanceId) fn(msg.change);
      } catch {
        // not ours
      }
    });
  }

  /** One heartbeat now (they also run on a timer). */
  beat(): Promise<void> {
    return this.#presence.beat();
  }

  /** Counters summed over the live instances. */
  totals(): Record<string, number> {
    return this.#presence.totals();
  }

  liveInstances(): InstanceRecord[] {
    return this.#presence.instances;
  }

  status(): ClusterStatus {
    const live = this.#link.state === 'ready' ? this.#presence.instances : [];
    return {
      instanceId: this.instanceId,
      redis: this.#link.state,
      instances: live.length ? live.map((i) => ({ id: i.id, startedAt: i.startedAt })) : [{ id: this.instanceId, startedAt: this.#startedAt }],
      roles: this.#roles.filter((r) => r.held).map((r) => r.name.replace(/^role:/, '')),
      fallbackShare: this.share,
    };
  }

  async close(): Promise<void> {
    for (const role of this.#roles) await role.close();
    await this.#presence.close();
    await this.#link.close();
  }
}
