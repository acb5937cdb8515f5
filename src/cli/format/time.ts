/** Short human renderings of durations and instants (UTC). */
// errors.js directly, not the gateway's index: it imports nothing, so the CLI does not load the engine to print a time
import { formatDuration } from '../../gateway/errors.js';

/** `42s`, `5m`, `3h`, `2d` (rounded down). */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** `1m05s` style for ETAs: the Gateway's duration text in whole seconds (below one second, `0s`). */
export function etaText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '?';
  return ms < 1000 ? '0s' : formatDuration(ms);
}

/** ISO 8601 UTC without milliseconds, or '' for null. */
export function isoTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
