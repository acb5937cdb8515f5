import type { Governor, QuotaSummary } from '../governor/index.js';

export interface CostInput {
  total: number;
  /** answered from the cache, no upstream call */
  cached: number;
  /** already being fetched by someone else, no extra call */
  inFlight: number;
  /** calls this job would make */
  upstream: number;
}

export interface CostEstimate {
  total: number;
  cached: number;
  inFlight: number;
  upstream: number;
  quota: QuotaSummary;
  /** time until all `upstream` calls could be granted at the current limits, keeping `reserve` free */
  etaMs: number;
}

/** Dry-run cost of a job: what it would spend and when it could finish (the gateway supplies the cache counts). */
export async function estimateCost(input: CostInput, governor: Governor, key: string, reserve = 0): Promise<CostEstimate> {
  for (const [name, v] of Object.entries(input)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer`);
  }
  const [quota, etaMs] = await Promise.all([governor.summary(key), governor.eta(key, input.upstream, { reserve })]);
  return { total: input.total, cached: input.cached, inFlight: input.inFlight, upstream: input.upstream, quota, etaMs };
}
