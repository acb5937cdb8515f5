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
  /** Remaining time in ms, when known. */
  etaMs?: number | null;
  /** e.g. "480/500 day". */
  quotaLeft?: string;
}

export interface Progress {
  update(state: ProgressState): void;
  stop(final?: ProgressState): void;
}

const nothing: Progress = { update() {}, stop() {} };

function rateText(done: number, startedAt: number, doneAtStart: number): string {
  const secs = (Date.now() - startedAt) / 1000;
  if (secs < 0.5) return '-';
  const rate = (done - doneAtStart) / secs;
  return rate >= 10 ? rate.toFixed(0) : rate.toFixed(1);
}

export function createProgress(ctx: CliContext, label: string): Progress {
  if (ctx.out.quiet) return nothing;
  const stderr = ctx.io.stderr;
  const startedAt = Date.now();
  let doneAtStart: number | undefined;

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
    const payload = (s: ProgressState) => ({
      rateText: rateText(s.done, startedAt, doneAtStart ?? 0),
      etaText: etaText(s.etaMs),
      quota: s.quotaLeft ?? '?',
      failedText: s.failed ? ` | ${s.failed} failed` : '',
    });
    return {
      update(s) {
        doneAtStart ??= s.done;
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
  let lastState: ProgressState | undefined;
  const line = (s: ProgressState) => {
    const parts = [`${s.done}/${s.total} done`];
    if (s.failed) parts.push(`${s.failed} failed`);
    parts.push(`${rateText(s.done, startedAt, doneAtStart ?? 0)}/s`, `ETA ${etaText(s.etaMs)}`);
    if (s.quotaLeft) parts.push(`quota left ${s.quotaLeft}`);
    ctx.out.info(`vtg: ${label}: ${parts.join(', ')}`);
  };
  return {
    update(s) {
      doneAtStart ??= s.done;
      lastState = s;
      const now = Date.now();
      if (now - last >= interval) {
        last = now;
        line(s);
      }
    },
    stop(final) {
      const s = final ?? lastState;
      if (s && (final || Date.now() - last > 0)) line(s);
    },
  };
}
