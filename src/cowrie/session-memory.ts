/** What keeps open sessions small: shared empty lists and one copy of each repeated string. */

/**
 * Open sessions share this empty list until they log something: most sessions of a scan never log in,
 * and five empty arrays each would be most of what an open session costs. `finish` gives each its own.
 */
export const NONE: never[] = [];

export function own<T>(list: T[]): T[] {
  return list === NONE ? [] : list;
}

/**
 * One copy of each address, sensor name and protocol however many sessions carry it: a parsed event
 * brings fresh copies, and an open session would otherwise keep them alive until it closes.
 */
export class Interner {
  #map = new Map<string, string>();
  /**
   * The copies handed out last, by a hash of length and two letters: the honeypot's own address, the
   * attacker of the last sessions and the common client versions come back again and again, and a
   * compare costs less than hashing a fresh string for the map.
   */
  readonly #recent: Array<string | undefined> = new Array(256).fill(undefined);

  of(v: string | null): string | null {
    if (v === null) return null;
    const n = v.length;
    const slot = (n * 31 + v.charCodeAt(0) + v.charCodeAt(n - 1) * 7) & 255;
    const recent = this.#recent[slot];
    if (recent === v) return recent;
    const hit = this.#map.get(v);
    if (hit !== undefined) {
      this.#recent[slot] = hit;
      return hit;
    }
    if (this.#map.size >= 50_000) this.#map = new Map();
    this.#map.set(v, v);
    this.#recent[slot] = v;
    return v;
  }
}
