import { PRIORITIES, type Priority } from './types.js';

export interface QueueEntry {
  /** submission order; a requeued entry keeps its number and so its place */
  seq: number;
  priority: Priority;
  tenant: string;
  /** the entry's place while queued; removal marks it dead and it is skipped when reached */
  slot: Slot<QueueEntry> | null;
}

interface Slot<E> {
  entry: E;
  live: boolean;
}

/** Entries of one tenant in seq order, with a moving head (no O(n) shift). */
class Lane<E extends QueueEntry> {
  items: Slot<E>[] = [];
  head = 0;

  insert(slot: Slot<E>): void {
    const last = this.items[this.items.length - 1];
    if (!last || last.entry.seq < slot.entry.seq) {
      this.items.push(slot);
      return;
    }
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.items[mid] as Slot<E>).entry.seq < slot.entry.seq) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, slot);
  }

  /** First live slot, dropping the dead ones on the way. */
  first(): Slot<E> | undefined {
    while (this.head < this.items.length) {
      const slot = this.items[this.head] as Slot<E>;
      if (slot.live) return slot;
      this.head++;
    }
    this.items = [];
    this.head = 0;
    return undefined;
  }

  take(): void {
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** One priority class: round-robin over tenants, FIFO (by seq) inside a tenant. */
class ClassQueue<E extends QueueEntry> {
  size = 0;
  #lanes = new Map<string, Lane<E>>();
  #ring: string[] = [];
  #next = 0;

  add(slot: Slot<E>): void {
    const { tenant } = slot.entry;
    let lane = this.#lanes.get(tenant);
    if (!lane) {
      lane = new Lane<E>();
      this.#lanes.set(tenant, lane);
      this.#ring.push(tenant);
    }
    lane.insert(slot);
    this.size++;
  }

  peek(): E | undefined {
    return this.#find(false);
  }

  pop(): E | undefined {
    return this.#find(true);
  }

  #find(take: boolean): E | undefined {
    for (let tries = this.#ring.length; tries > 0 && this.#ring.length > 0; tries--) {
      if (this.#next >= this.#ring.length) this.#next = 0;
      const tenant = this.#ring[this.#next] as string;
      const lane = this.#lanes.get(tenant) as Lane<E>;
      const slot = lane.first();
      if (!slot) {
        this.#lanes.delete(tenant);
        this.#ring.splice(this.#next, 1);
        continue;
      }
      if (take) {
        lane.take();
        slot.live = false;
        slot.entry.slot = null;
        this.size--;
        this.#next++;
      }
      return slot.entry;
    }
    return undefined;
  }
}

/** Priority classes interactive > batch > background, each fair between tenants. */
export class TaskQueue<E extends QueueEntry> {
  #classes = new Map<Priority, ClassQueue<E>>(PRIORITIES.map((p) => [p, new ClassQueue<E>()]));

  get size(): number {
    let n = 0;
    for (const c of this.#classes.values()) n += c.size;
    return n;
  }

  sizeOf(p: Priority): number {
    return (this.#classes.get(p) as ClassQueue<E>).size;
  }

  add(e: E): void {
    if (e.slot) return;
    const slot: Slot<E> = { entry: e, live: true };
    e.slot = slot as Slot<QueueEntry>;
    (this.#classes.get(e.priority) as ClassQueue<E>).add(slot);
  }

  /** Removes an entry at once (its slot is skipped when reached). */
  remove(e: E): void {
    if (!e.slot) return;
    e.slot.live = false;
    e.slot = null;
    (this.#classes.get(e.priority) as ClassQueue<E>).size--;
  }

  peek(): E | undefined {
    for (const p of PRIORITIES) {
      const e = (this.#classes.get(p) as ClassQueue<E>).peek();
      if (e) return e;
    }
    return undefined;
  }

  pop(): E | undefined {
    for (const p of PRIORITIES) {
      const e = (this.#classes.get(p) as ClassQueue<E>).pop();
      if (e) return e;
    }
    return undefined;
  }
}
