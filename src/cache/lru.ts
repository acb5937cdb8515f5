/**
 * Least-recently-used map bounded by entry count. O(1): a Map keeps insertion order, and a read
 * re-inserts the key so the first key is always the least recently used.
 */
export class LruCache<K, V> {
  readonly maxEntries: number;
  readonly #map = new Map<K, V>();
  readonly #onEvict: ((key: K, value: V) => void) | undefined;
  /** The most recently used key (the map's last), when known. */
  #newest: K | undefined = undefined;
  #hasNewest = false;

  constructor(maxEntries = 10_000, options: { onEvict?: (key: K, value: V) => void } = {}) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    this.maxEntries = maxEntries;
    this.#onEvict = options.onEvict;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The value, marking it most recently used (a read of the most recent key moves nothing). */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined && !this.#map.has(key)) return undefined;
    if (!this.#hasNewest || key !== this.#newest) {
      this.#map.delete(key);
      this.#map.set(key, value as V);
      this.#newest = key;
      this.#hasNewest = true;
    }
    return value;
  }

  /** The value without touching its recency. */
  peek(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Stores the value as most recently used, evicting the least recently used entry when full. */
  set(key: K, value: V): this {
    this.#map.delete(key);
    this.#map.set(key, value);
    this.#newest = key;
    this.#hasNewest = true;
    while (this.#map.size > this.maxEntries) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      const evicted = this.#map.get(oldest.value) as V;
      this.#map.delete(oldest.value);
      this.#onEvict?.(oldest.value, evicted);
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.#hasNewest && key === this.#newest) {
      this.#newest = undefined;
      this.#hasNewest = false;
    }
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
    this.#newest = undefined;
    this.#hasNewest = false;
  }

  /** Keys from least to most recently used. */
  keys(): IterableIterator<K> {
    return this.#map.keys();
  }

  entries(): IterableIterator<[K, V]> {
    return this.#map.entries();
  }
}
