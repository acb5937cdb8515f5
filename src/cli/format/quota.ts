/** Quota views for people: one line per window with a bar, and the tightest window in short. */
import type { QuotaView } from '../../gateway/index.js';
import type { QuotaWindowSummary } from '../../governor/index.js';
import type { Paint } from './color.js';
import { etaText, isoTime } from './time.js';

const BAR_WIDTH = 20;

export function quotaBar(w: QuotaWindowSummary, paint: Paint): string {
  const share = w.limit > 0 ? Math.min(1, w.used / w.limit) : 0;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = '\u2588'.repeat(filled) + '\u2591'.repeat(BAR_WIDTH - filled);
  const color = share >= 0.95 ? 'red' : share >= 0.8 ? 'yellow' : 'green';
  return paint(color, bar);
}

/** The window with the least room left (the sliding minute only when it is the one blocking). */
export function tightestWindow(q: Pick<QuotaView, 'windows'>): QuotaWindowSummary | undefined {
  const windows = q.windows.filter((w) => w.limit > 0);
  const calendar = windows.filter((w) => w.window !== 'minute');
  const pool = calendar.length > 0 && !windows.some((w) => w.window === 'minute' && w.remaining === 0) ? calendar : windows;
  return pool.reduce<QuotaWindowSummary | undefined>((best, w) => (!best || w.remaining / w.limit < best.remaining / best.limit ? w : best), undefined);
}

export function quotaLeftText(q: Pick<QuotaView, 'windows'>): string {
  const w = tightestWindow(q);
  return w ? `${w.remaining}/${w.limit} ${w.window}` : '-';
}

export function statusText(status: string, paint: Paint): string {
  return paint(status === 'healthy' ? 'green' : status === 'warning' ? 'yellow' : 'red', status);
}

export function resetText(w: QuotaWindowSummary, now: number): string {
  if (w.window === 'minute' && w.used === 0) return '-';
  return w.resetsAt > now ? `in ${etaText(w.resetsAt - now)}` : isoTime(w.resetsAt);
}
