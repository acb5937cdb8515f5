/**
 * Where extracted bytes go: hashed as they arrive, kept in memory only up to `keepBytes`, and counted
 * against the limits on every write so a bomb stops while it is being inflated, not after.
 */
import { createHash, type Hash } from 'node:crypto';
import type { LimitKind } from './types.js';

export interface SinkLimits {
  /** Bytes this archive may still produce (what is left of the scan's total). */
  totalBytes: number;
  entryBytes: number;
  /** Members this archive may still produce. */
  entries: number;
  maxRatio: number;
  ratioThresholdBytes: number;
  keepBytes: number;
  /** Epoch ms. */
  deadline: number;
  /** Compressed size of this archive, and of the scan's outermost archive with the bytes produced before this one. */
  archiveSize: number;
  rootSize: number;
  rootBytesBefore: number;
}

export interface MemberOut {
  path: string;
  size: number;
  sha256: string;
  sha1: string;
  md5: string;
  /** The whole member when it fits `keepBytes`, else null (hashed only). */
  data: Uint8Array | null;
  /** The first bytes, for the file type. */
  head: Uint8Array;
}

export interface LimitHit {
  limit: LimitKind;
  path: string;
  message: string;
}

/** Thrown from inside the engine's write to abort extraction; never an errno the engine could swallow. */
export class StopExtraction extends Error {
  override name = 'StopExtraction';
}

const HEAD = 4096;

export class MemberState {
  size = 0;
  readonly #sha256: Hash = createHash('sha256');
  readonly #sha1: Hash = createHash('sha1');
  readonly #md5: Hash = createHash('md5');
  #chunks: Uint8Array[] | null = [];
  #head = new Uint8Array(0);
  /** Decides, once the first 512 bytes are in, whether the bytes are worth keeping at all. */
  constructor(
    readonly path: string,
    private readonly keepIf: (head: Uint8Array) => boolean = () => true,
  ) {}

  update(view: Uint8Array, keepBytes: number): void {
    const decided = this.#head.length >= 512;
    this.#sha256.update(view);
    this.#sha1.update(view);
    this.#md5.update(view);
    if (this.#head.length < HEAD) {
      const take = view.subarray(0, HEAD - this.#head.length);
      const h = new Uint8Array(this.#head.length + take.length);
      h.set(this.#head);
      h.set(take, this.#head.length);
      this.#head = h;
    }
    if (this.#chunks && !decided && this.#head.length >= 512 && !this.keepIf(this.#head)) this.#chunks = null;
    if (this.#chunks) {
      if (this.size > keepBytes) this.#chunks = null;
      else this.#chunks.push(view.slice());
    }
  }

  finish(): MemberOut {
    let data: Uint8Array | null = null;
    if (this.#chunks) {
      data = new Uint8Array(this.size);
      let o = 0;
      for (const c of this.#chunks) {
        data.set(c, o);
        o += c.length;
      }
      this.#chunks = null;
    }
    return {
      path: this.path,
      size: this.size,
      sha256: this.#sha256.digest('hex'),
      sha1: this.#sha1.digest('hex'),
      md5: this.#md5.digest('hex'),
      data,
      head: this.#head,
    };
  }
}

/** Counts every byte against the limits; the first limit hit stops the whole archive. */
export class Sink {
  produced = 0;
  members = 0;
  hit: LimitHit | null = null;
  constructor(readonly limits: SinkLimits) {}

  open(path: string, keepIf?: (head: Uint8Array) => boolean): MemberState {
    this.#check();
    if (this.members + 1 > this.limits.entries) this.#stop('entries', path, `more than the allowed number of members`);
    this.members++;
    return new MemberState(path, keepIf);
  }

  write(state: MemberState, view: Uint8Array): void {
    this.#check();
    const l = this.limits;
    state.size += view.length;
    this.produced += view.length;
    if (state.size > l.entryBytes) this.#stop('entry_bytes', state.path, `member passed ${l.entryBytes} uncompressed bytes`);
    if (this.produced > l.totalBytes) this.#stop('total_bytes', state.path, `archive passed the scan's total of uncompressed bytes`);
    if (this.produced > l.ratioThresholdBytes) {
      const own = this.produced / Math.max(1, l.archiveSize);
      const root = (l.rootBytesBefore + this.produced) / Math.max(1, l.rootSize);
      if (own > l.maxRatio || root > l.maxRatio) {
        this.#stop('ratio', state.path, `expansion passed ${l.maxRatio}:1 (${Math.round(Math.max(own, root))}:1 so far)`);
      }
    }
    if (Date.now() > l.deadline) this.#stop('time', state.path, 'scan time limit reached');
    state.update(view, l.keepBytes);
  }

  #check(): void {
    if (this.hit) throw new StopExtraction(this.hit.message);
    if (Date.now() > this.limits.deadline) this.#stop('time', '', 'scan time limit reached');
  }

  #stop(limit: LimitKind, path: string, message: string): never {
    this.hit ??= { limit, path, message };
    throw new StopExtraction(message);
  }
}
