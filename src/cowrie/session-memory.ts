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
  of(v: string | null): string | null {
    if (v === null) return null;
    const hit = this.#map.get(v);
    if (hit !== undefined) return hit;
    if (this.#map.size >= 50_000) this.#map = new Map();
    this.#map.set(v, v);
    return v;
  }
}
