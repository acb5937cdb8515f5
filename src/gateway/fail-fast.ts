/**
 * The upstream step of a lookup, guarded so that a misbehaving upstream never costs the caller more
 * than it asked for:
 *
 * - an expired answer the cache still holds is served (marked stale) when the upstream call fails,
 *   whatever the failure (5xx, a dropped connection, a refused key, spent quota);
 * - a caller who does not wait (`waitForQuota: false`) gets an answer within `failFastMs`: the stale
 *   one when there is one, else QuotaExhaustedError (429 storm, paused key: with the time until it
 *   resumes) or UpstreamUnavailableError (a hanging or failing upstream).
 *
 * The call itself goes on for whoever else waits on it (single-flight); only this caller stops waiting.
 */
import type { QuotaSummary } from '../governor/index.js';
import { QuotaExhaustedError } from './errors.js';

/** How long a caller who does not wait for quota waits for the upstream at most (real time). */
export const FAIL_FAST_MS = 5000;

/** The upstream did not answer in time, or kept failing, and nothing stale was there to serve. */
export class UpstreamUnavailableError extends Error {
  override name = 'UpstreamUnavailableError';
  readonly code = 'UpstreamUnavailable';
  constructor(
    readonly provider: string,
    readonly retryInMs: number,
    readonly detail: string,
  ) {
    super(`${provider} is not answering (${detail}); try again later`);
  }
}

class FailFastTimeout extends Error {
  override name = 'FailFastTimeout';
}

export interface GuardOptions<T> {
  /** The upstream step, with the signal it must honour. */
  fetch: (signal: AbortSignal | undefined) => Promise<T>;
  /** The caller's own signal (read once, only here). */
  callerSignal: AbortSignal | undefined;
  /** Set when the caller does not wait: the bound on its wait. */
  failFastMs: number | undefined;
  /** The expired cached answer, when the caller accepts one. */
  stale: (() => T) | undefined;
  provider: string;
  /** The governor's view of the key, to say why nothing came (quota or upstream trouble). */
  summary: () => Promise<QuotaSummary>;
  now: () => number;
}

function isCallerError(err: unknown): boolean {
  const name = (err as { name?: unknown })?.name;
  // bad input and configuration are the caller's to fix: never hidden behind a stale answer
  return name === 'IndicatorError' || name === 'ProviderUnavailableError' || name === 'NotCachedError';
}

export async function guardedFetch<T>(o: GuardOptions<T>): Promise<T> {
  const caller = o.callerSignal;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let onCallerAbort: (() => void) | undefined;
  if (o.failFastMs !== undefined) {
    const c = new AbortController();
    controller = c;
    if (caller?.aborted) c.abort(caller.reason);
    else if (caller) {
      onCallerAbort = () => c.abort(caller.reason);
      caller.addEventListener('abort', onCallerAbort, { once: true });
    }
    timer = setTimeout(() => c.abort(new FailFastTimeout()), o.failFastMs);
    timer.unref();
  }
  try {
    return await o.fetch(controller ? controller.signal : caller);
  } catch (err) {
    if (caller?.aborted || isCallerError(err)) throw err;
    if (o.stale) return o.stale();
    if (controller?.signal.reason instanceof FailFastTimeout) throw await whyNothing(o);
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    if (onCallerAbort) caller?.removeEventListener('abort', onCallerAbort);
  }
}

async function whyNothing<T>(o: GuardOptions<T>): Promise<Error> {
  const q = await o.summary().catch(() => undefined);
  const paused = q?.pausedUntil ? q.pausedUntil - o.now() : 0;
  if (q && (paused > 0 || !q.canMakeRequest)) {
    const hot = q.windows.filter((w) => w.remaining <= 0).map((w) => `${w.window} ${w.used}/${w.limit}`);
    const wait = Math.max(paused, q.recommendedBackoffMs, 1000);
    return new QuotaExhaustedError(o.provider, q.keyHealthy ? wait : Number.POSITIVE_INFINITY, hot.length ? `${hot.join(', ')} used` : 'upstream rate limit');
  }
  return new UpstreamUnavailableError(o.provider, 30_000, `no answer within ${Math.round((o.failFastMs ?? 0) / 1000)} s`);
}
