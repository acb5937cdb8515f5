/**
 * Progress of long work on stderr: a cli-progress bar (done/total, rate, ETA, quota left) on a
 * terminal; without one, a plain line every --progress-interval seconds. Silent with --quiet.
 */
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import type { Priority } from '../gateway/index.js';
import type { ProviderName } from '../providers/types.js';
import type { Backend } from './backend/index.js';
import type { CliContext } from './context.js';
import { etaText } from './format/time.js';

export interface ProgressState {
  done: number;
  total: number;
  failed?: number;
  /** Remaining time in ms, when known (else estimated from the rate so far). */
  etaMs?: number | null;
  /** Replaces the label: a new phase of the work, whose rate and ETA start over. */
  phase?: string;
  /** Renders done, total and the rate (e.g. bytes as MB); default whole numbers. */
  unit?: (n: number) => string;
  /** Appended to the line, e.g. "1204 lines, 3 bad". */
  detail?: string;
}

export interface Progress {
  update(state: ProgressState): void;
  stop(final?: ProgressState): void;
}

export interface ProgressOptions {
  /** "480/500 day": read at most every 2 s (from the governor through the backend). */
  quotaLeft?: () => Promise<string>;
  /**
   * The governor's estimate for the work left (ms; null when it cannot say), asked at most every
   * 2 s. When given, it is the only ETA shown: the pace so far misleads while answers come from the
   * cache. Undefined: the work spends no quota (reading a file), so its pace is the estimate.
   */
  eta?: (state: ProgressState) => Promise<number | null | undefined>;
}

/**
 * The `eta` option of work that calls upstream: the governor's time (the backend's: this process's,
 * or the server's with --server) until the calls still to make could all be granted at `priority`:
 * the items left times the share of those done so far that needed a call (all of them at first).
 * Null when the governor says never (a refused key, a limit of 0).
 */
export function governorEta(
  backend: Pick<Backend, 'eta'>,
  provider: ProviderName,
  priority: Priority,
  upstreamSoFar: () => number,
): (state: ProgressState) => Promise<number | null> {
  return async (s) => {
    const share = s.done > 0 ? upstreamSoFar() / s.done : 1;
    const ms = await backend.eta(provider, Math.max(0, s.total - s.done) * share, priority);
    return Number.isFinite(ms) ? ms : null;
  };
}

const nothing: Progress = { update() {}, stop() {} };
const QUOTA_REFRESH_MS = 2000;

export function createProgress(ctx: CliContext, label: string, options: ProgressOptions = {}): Progress {
  if (ctx.out.quiet) return nothing;
  const stderr = ctx.io.stderr;
  let startedAt = Date.now();
  let doneAtStart: number | undefined;
  let currentLabel = label;
  /** A new phase restarts the rate and the ETA. */
  const enter = (s: ProgressState) => {
    if (s.phase !== undefined && s.phase !== currentLabel) {
      currentLabel = s.phase;
      startedAt = Date.now();
      doneAtStart = s.done;
    }
    doneAtStart ??= s.done;
  };
  let quota: string | undefined;
  let quotaAt = 0;
  let governorEta: { ms: number | null | undefined; at: number } | undefined;
  let etaAskedAt = 0;
  const refreshEta = (s: ProgressState) => {
    if (!options.eta || Date.now() - etaAskedAt < QUOTA_REFRESH_MS) return;
    etaAskedAt = Date.now();
    options.eta(s).then(
      (ms) => {
        governorEta = { ms, at: Date.now() };
      },
      () => {},
    );
  };

  const refreshQuota = () => {
    if (!options.quotaLeft || Date.now() - quotaAt < QUOTA_REFRESH_MS) return;
    quotaAt = Date.now();
    options.quotaLeft().then(
      (q) => {
        quota = q;
      },
      () => {},
    );
  };
  const rate = (done: number): number | undefined => {
    const secs = (Date.now() - startedAt) / 1000;
    return secs < 0.5 ? undefined : (done - (doneAtStart ?? 0)) / secs;
  };
  const rateText = (s: ProgressState) => {
    const r = rate(s.done);
    if (r === undefined) return '-';
    if (s.unit) return s.unit(r);
    return r >= 10 ? r.toFixed(0) : r.toFixed(1);
  };
  const countText = (s: ProgressState) => (s.unit ? `${s.unit(s.done)}/${s.unit(s.total)}` : `${s.done}/${s.total}`);
  const eta = (s: ProgressState) => {
    if (s.etaMs !== undefined && s.etaMs !== null) return etaText(s.etaMs);
    if (options.eta && governorEta?.ms !== undefined) {
      if (s.done >= s.total) return etaText(0);
      return governorEta.ms === null ? '-' : etaText(Math.max(0, governorEta.ms - (Date.now() - governorEta.at)));
    }
    const r = rate(s.done);
    return r ? etaText(((s.total - s.done) / r) * 1000) : '-';
  };

  if (stderr.isTTY) {
    // the bar's library loads only when a terminal shows it (commands that never draw one start faster)
    const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
    const bar = new cliProgress.SingleBar(
      {
        stream: stderr,
        format: '{label} {bar} {countText} | {rateText}/s | ETA {etaText} | quota left {quota}{failedText}{detailText}',
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
        hideCursor: true,
        clearOnComplete: false,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const payload = (s: ProgressState) => ({
      label: currentLabel,
      countText: countText(s),
      rateText: rateText(s),
      etaText: eta(s),
      quota: quota ?? '-',
      failedText: s.failed ? ` | ${s.failed} failed` : '',
      detailText: s.detail ? ` | ${s.detail}` : '',
    });
    let lastBar: ProgressState | undefined;
    return {
      update(s) {
        if (started && s.phase !== undefined && s.phase !== currentLabel) {
          // the previous phase keeps its final line; the next one gets a bar of its own
          if (lastBar) bar.update(lastBar.done, payload(lastBar));
          bar.stop();
          started = false;
        }
        enter(s);
        refreshQuota();
        refreshEta(s);
        lastBar = s;
        if (!started) {
          started = true;
          bar.start(s.total, s.done, payload(s));
        } else {
          bar.setTotal(s.total);
          bar.update(s.done, payload(s));
        }
      },
      stop(final) {
        if (!started) return;
        if (final) bar.update(final.done, payload(final));
        bar.stop();
      },
    };
  }

  const interval = ctx.progressIntervalMs;
  let last = 0;
  let lastLine = '';
  let lastState: ProgressState | undefined;
  const print = (s: ProgressState) => {
    const parts = [`${countText(s)} done`];
    if (s.failed) parts.push(`${s.failed} failed`);
    parts.push(`${rateText(s)}/s`, `ETA ${eta(s)}`);
    if (quota) parts.push(`quota left ${quota}`);
    if (s.detail) parts.push(s.detail);
    const line = `vtg: ${currentLabel}: ${parts.join(', ')}`;
    if (line !== lastLine) ctx.out.info(line);
    lastLine = line;
  };
  return {
    update(s) {
      const phaseChanged = s.phase !== undefined && s.phase !== currentLabel;
      if (phaseChanged && lastState) print(lastState); // how the previous phase ended
      enter(s);
      refreshQuota();
      refreshEta(s);
      lastState = s;
      const now = Date.now();
      if (phaseChanged || now - last >= interval) {
        last = now;
        print(s);
      }
    },
    stop(final) {
      const s = final ?? lastState;
      if (s) print(s);
    },
  };
}
