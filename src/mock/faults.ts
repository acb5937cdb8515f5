import type { MockFaults } from './types.js';

/** mulberry32: a small seeded PRNG, so fault decisions repeat run after run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'storm' }
  | { kind: 'too-many' }
  | { kind: 'error'; status: 500 | 502 | 503 | 504 }
  | { kind: 'hang' }
  | { kind: 'drop' };

function share(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** Holds the current faults and decides, one PRNG draw per request, which fault (if any) hits it. */
export class FaultInjector {
  #faults: MockFaults = {};
  #random: () => number = seededRandom(1);
  readonly #defaultSeed: number;

  constructor(faults: MockFaults | undefined, defaultSeed = 1) {
    this.#defaultSeed = defaultSeed;
    this.set(faults ?? {});
  }

  get current(): MockFaults {
    return { ...this.#faults };
  }

  set(faults: MockFaults): void {
    this.#faults = { ...faults };
    this.#random = seededRandom(faults.seed ?? this.#defaultSeed);
  }

  decide(): FaultDecision {
    const f = this.#faults;
    if (f.quotaStorm) return { kind: 'storm' };
    const tooMany = share(f.tooManyRate);
    const error = share(f.errorRate);
    const hang = share(f.timeoutRate);
    const drop = share(f.dropRate);
    if (tooMany + error + hang + drop === 0) return { kind: 'none' };
    const u = this.#random();
    if (u < tooMany) return { kind: 'too-many' };
    if (u < tooMany + error) return { kind: 'error', status: f.errorStatus ?? 503 };
    if (u < tooMany + error + hang) return { kind: 'hang' };
    if (u < tooMany + error + hang + drop) return { kind: 'drop' };
    return { kind: 'none' };
  }
}
