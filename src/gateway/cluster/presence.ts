/**
 * Who is in the cluster: each instance writes a short-lived record (its id, start time and
 * counters) every heartbeat. The live records give the cluster's figures (sums over the live
 * instances) and the instance count, from which each instance's share of the quota while Redis is
 * away is derived (1/N of every limit, so N instances together never exceed it).
 */
import type { ClusterLink } from './link.js';

const SET = 'instances';
const RECORD = 'instance:';

export interface InstanceRecord {
  id: string;
  startedAt: number;
  seenAt: number;
  counters: Record<string, number>;
}

export class Presence {
  readonly #timer: NodeJS.Timeout;
  #instances: InstanceRecord[] = [];
  #lastCount = 1;
  #closed = false;

  constructor(
    private readonly link: ClusterLink,
    private readonly startedAt: number,
    private readonly counters: () => Record<string, number>,
    private readonly everyMs: number,
    /** False for one-shot processes (CLI commands): they read the others but are not counted. */
    private readonly announce = true,
  ) {
    this.#timer = setInterval(() => void this.beat(), everyMs);
    this.#timer.unref();
  }

  /** Live instances at the last heartbeat (this one included), or just this one when Redis is away. */
  get instances(): InstanceRecord[] {
    return this.#instances;
  }

  /** The share of each limit this instance may use while Redis is away: 1 / the instances last seen alive. */
  get share(): number {
    return 1 / Math.max(1, this.#lastCount);
  }

  /** Writes this instance's record and reads everyone's. */
  async beat(): Promise<void> {
    if (this.#closed || this.link.state !== 'ready') return;
    const r = this.link.client;
    const own: InstanceRecord = { id: this.link.instanceId, startedAt: this.startedAt, seenAt: Date.now(), counters: this.counters() };
    try {
      if (this.announce) {
        await r.set(this.link.key(RECORD + own.id), JSON.stringify(own), 'PX', this.everyMs * 3);
        await r.sadd(this.link.key(SET), own.id);
      }
      const ids = await r.smembers(this.link.key(SET));
      const texts = ids.length ? await r.mget(...ids.map((id) => this.link.key(RECORD + id))) : [];
      const live: InstanceRecord[] = [];
      const gone: string[] = [];
      texts.forEach((t, i) => {
        if (t) live.push(JSON.parse(t) as InstanceRecord);
        else gone.push(ids[i] as string);
      });
      if (gone.length) await r.srem(this.link.key(SET), ...gone);
      this.#instances = live.sort((a, b) => a.id.localeCompare(b.id));
      this.#lastCount = Math.max(1, live.length);
    } catch {
      // Redis went away mid-beat: keep the last view (the share stays what it was)
    }
  }

  /** Counters summed over the live instances, this one's taken fresh. */
  totals(): Record<string, number> {
    const sum: Record<string, number> = { ...this.counters() };
    for (const rec of this.#instances) {
      if (rec.id === this.link.instanceId) continue;
      for (const [k, v] of Object.entries(rec.counters)) sum[k] = (sum[k] ?? 0) + v;
    }
    return sum;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    if (!this.announce || this.link.state !== 'ready') return;
    try {
      await this.link.client.del(this.link.key(RECORD + this.link.instanceId));
      await this.link.client.srem(this.link.key(SET), this.link.instanceId);
    } catch {
      // the record expires by itself
    }
  }
}
