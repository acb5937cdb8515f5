/**
 * Progress of long work on stderr: a cli-progress bar (done/total, rate, ETA, quota left) on a
 * terminal; without one, a plain line every --progress-interval seconds. Silent with --quiet.
 */
import cliProgress from 'cli-progress';
import type { CliContext } from './context.js';
import { etaText } from './format/time.js';

export interface ProgressState {
  done: number;
  total: number;
  failed?: number;
  /** Remaining time in ms, when known (else estimated from the rate so far). */
  etaMs?: number | null;
}

export interface Progress {
  update(state: ProgressState): void;
  stop(final?: ProgressState): void;
}

export interface ProgressOptions {
  /** "480/500 day": read at most every 2 s (from the governor through the backend). */
  quotaLeft?: () => Promise<string>;
}

const nothing: Progress = { update() {}, stop() {} };
const QUOTA_REFRESH_MS = 2000;

export function createProgress(ctx: CliContext, label: string, options: ProgressOptions = {}): Progress {
  if (ctx.out.quiet) return nothing;
  const stderr = ctx.io.stderr;
  const startedAt = Date.now();
  let doneAtStart: number | undefined;
  let quota: string | undefined;
  let quotaAt = 0;

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
  const rateText = (done: number) => {
    const r = rate(done);
    return r === undefined ? '-' : r >= 10 ? r.toFixed(0) : r.toFixed(1);
  };
  const eta = (s: ProgressState) => {
    if (s.etaMs !== undefined && s.etaMs !== null) return etaText(s.etaMs);
    const r = rate(s.done);
    return r ? etaText(((s.total - s.done) / r) * 1000) : '-';
  };

  if (stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stderr,
        format: `${label} {bar} {value}/{total} | {rateText}/s | ETA {etaText} | quota left {quota}{failedText}`,
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
        hideCursor: true,
        clearOnComplete: false,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const payload = (s: ProgressState) => ({ rateText: rateText(s.done), etaText: eta(s), quota: quota ?? '-', failedText: s.failed ? ` | ${s.failed} failed` : '' });
    return {
      update(s) {
        doneAtStart ??= s.done;
        refreshQuota();
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
    const parts = [`${s.done}/${s.total} done`];
    if (s.failed) parts.push(`${s.failed} failed`);
    parts.push(`${rateText(s.done)}/s`, `ETA ${eta(s)}`);
    if (quota) parts.push(`quota left ${quota}`);
    const line = `vtg: ${label}: ${parts.join(', ')}`;
    if (line !== lastLine) ctx.out.info(line);
    lastLine = line;
  };
  return {
    update(s) {
      doneAtStart ??= s.done;
      refreshQuota();
      lastState = s;
      const now = Date.now();
      if (now - last >= interval) {
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
