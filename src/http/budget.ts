/**
 * The HTTP side of per-token daily budgets (the rules live in the engine: `Gateway.tokens`):
 * lookups on a caller's behalf, where readers never spend quota and a token whose budget is spent is
 * answered from the cache or refused with 429 and Retry-After.
 */
import { type LookupOptions, type LookupResult, NotCachedError } from '../gateway/index.js';
import type { Indicator } from '../indicators/index.js';
import { HttpError } from './errors.js';
import type { AppDeps, Principal } from './types.js';

export function budgetExceeded(deps: AppDeps, p: Principal): HttpError {
  const wait = deps.gateway.tokens.secondsToReset();
  return new HttpError(429, 'BudgetExceeded', `token "${p.name}" has spent its daily budget of ${p.dailyBudget} upstream calls; it resets at 00:00 UTC`, {
    'Retry-After': String(wait),
  });
}

/** Upstream calls this token may still make today, or null without a budget. */
export function remainingBudget(deps: AppDeps, p: Principal): Promise<number | null> {
  return deps.gateway.tokens.remaining(p);
}

export async function spend(deps: AppDeps, p: Principal, n = 1): Promise<void> {
  await deps.gateway.tokens.spend(p, n);
}

/** Throws 429 BudgetExceeded when the caller may not make another upstream call today. */
export async function assertBudget(deps: AppDeps, p: Principal): Promise<void> {
  if ((await remainingBudget(deps, p)) === 0) throw budgetExceeded(deps, p);
}

/** What a caller may ask of a lookup; who may spend quota, and whose budget pays, is decided here. */
export type CallerLookupOptions = Omit<LookupOptions, 'onUpstreamCall' | 'tenant' | 'signal'>;

/**
 * Lookup options whose `signal` is made only when read: the gateway reads it only when it has to go
 * upstream, so a cache hit never creates an AbortSignal. (A class keeps the object's shape fast.)
 */
class CallOptions implements LookupOptions {
  provider: LookupOptions['provider'];
  maxAgeMs: number | undefined;
  allowStale: boolean | undefined;
  waitForQuota: boolean | undefined;
  priority: LookupOptions['priority'];
  tenant: string;
  cacheOnly: boolean;
  onUpstreamCall: (() => Promise<void>) | undefined;
  readonly #signal: () => AbortSignal;

  constructor(
    base: CallerLookupOptions,
    tenant: string,
    cacheOnly: boolean,
    onUpstreamCall: (() => Promise<void>) | undefined,
    signal: () => AbortSignal,
  ) {
    this.provider = base.provider;
    this.maxAgeMs = base.maxAgeMs;
    this.allowStale = base.allowStale;
    this.waitForQuota = base.waitForQuota;
    // a cache-only lookup queues nothing: a reader's priority is never passed on
    this.priority = cacheOnly ? undefined : base.priority;
    this.tenant = tenant;
    this.cacheOnly = cacheOnly;
    this.onUpstreamCall = onUpstreamCall;
    this.#signal = signal;
  }

  get signal(): AbortSignal {
    return this.#signal();
  }
}

/**
 * One lookup on behalf of `p`: readers, `cacheOnly` and spent budgets are answered from the cache
 * only (a spent budget with nothing cached is 429 BudgetExceeded); upstream calls are charged.
 */
export async function lookupAs(
  deps: AppDeps,
  p: Principal,
  input: string | Indicator,
  options: CallerLookupOptions,
  signal: () => AbortSignal,
): Promise<LookupResult> {
  const tenant = p.tokenId ?? 'local';
  if (p.role === 'reader' || options.cacheOnly === true) return deps.gateway.lookup(input, new CallOptions(options, tenant, true, undefined, signal));
  if ((await remainingBudget(deps, p)) === 0) return spentLookup(deps, p, input, new CallOptions(options, tenant, true, undefined, signal));
  return deps.gateway.lookup(input, new CallOptions(options, tenant, false, chargeOf(deps, p), signal));
}

/** A lookup for a token whose budget is spent: cached answers still flow; anything else is 429. */
async function spentLookup(deps: AppDeps, p: Principal, input: string | Indicator, options: CallOptions): Promise<LookupResult> {
  try {
    return await deps.gateway.lookup(input, options);
  } catch (err) {
    if (err instanceof NotCachedError) throw budgetExceeded(deps, p);
    throw err;
  }
}

/** The per-upstream-call charge to `p`'s daily budget (none in open mode). */
export function chargeOf(deps: AppDeps, p: Principal): (() => Promise<void>) | undefined {
  return deps.gateway.tokens.chargeOf(p);
}
