/**
 * What `vtg enrich cowrie` prints: the report in the chosen format (the texts come from src/cowrie),
 * the dry run's cost per provider, one line per session while following, and its progress.
 */
import type { CowrieEnrichProgress, CowrieEnrichResult, CowrieReport, SessionRecord } from '../../cowrie/index.js';
import type { ProgressState } from '../progress.js';
import { csvLine } from './csv.js';
import { isoTime } from './time.js';

export const COWRIE_FORMATS = ['summary', 'json', 'ndjson', 'csv'] as const;
export type CowrieFormat = (typeof COWRIE_FORMATS)[number];

/** The report writers of src/cowrie (loaded on demand by the command, so other commands start fast). */
export interface CowrieWriters {
  enrichmentSummaryText(result: CowrieEnrichResult): string;
  toJson(report: CowrieReport, options?: { sessions?: boolean }): string;
  toNdjson(report: CowrieReport): string;
  toCsv(report: CowrieReport): string;
}

/** A dry run's cost for one provider. */
export interface CowrieCostRow {
  provider: string;
  enabled: boolean;
  note: string | null;
  lookups: number;
  cached: number;
  inFlight: number;
  upstream: number;
  etaMs: number;
  quotaStatus: string | null;
}

const COST_KEYS: ReadonlyArray<keyof CowrieCostRow> = ['provider', 'enabled', 'note', 'lookups', 'cached', 'inFlight', 'upstream', 'etaMs', 'quotaStatus'];

export function costRows(result: CowrieEnrichResult): CowrieCostRow[] {
  return result.report.providers.map((p) => {
    const e = result.estimate?.[p.provider];
    return {
      provider: p.provider,
      enabled: p.enabled,
      note: p.note ?? null,
      lookups: e?.total ?? 0,
      cached: e?.cached ?? 0,
      inFlight: e?.inFlight ?? 0,
      upstream: e?.upstream ?? 0,
      etaMs: e?.etaMs ?? 0,
      quotaStatus: e?.quota.status ?? null,
    };
  });
}

function jsonLines(rows: readonly unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/**
 * The whole output of a run. A dry run prints its cost: the summary text, or one record per provider
 * in the machine formats. JSON carries the run's stats (lines read, upstream calls, state saved).
 */
export function renderCowrie(writers: CowrieWriters, result: CowrieEnrichResult, format: CowrieFormat): string {
  if (format === 'summary') return writers.enrichmentSummaryText(result);
  if (result.report.dryRun) {
    const rows = costRows(result);
    if (format === 'json') return `${JSON.stringify({ dryRun: true, providers: rows, stats: result.stats }, null, 2)}\n`;
    if (format === 'ndjson') return jsonLines(rows);
    return [csvLine(COST_KEYS), ...rows.map((r) => csvLine(COST_KEYS.map((k) => r[k])))].map((l) => `${l}\n`).join('');
  }
  if (format === 'json') {
    const doc = { ...result.report, stats: result.stats };
    return writers.toJson(doc);
  }
  return format === 'ndjson' ? writers.toNdjson(result.report) : writers.toCsv(result.report);
}

/** Attacker-controlled text for a terminal: no control characters, bounded length. */
export function terminalSafe(text: string, max = 80): string {
  const t = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

const SHOWN_INDICATORS = 4;

/** One line per closed session while following: when, who, what happened, and the worst indicators. */
export function sessionLine(r: SessionRecord): string {
  const order = ['malicious', 'suspicious'];
  const worst = [...r.indicators].sort((a, b) => {
    const rank = (v: string) => (order.includes(v) ? order.indexOf(v) : order.length);
    return rank(a.verdict) - rank(b.verdict);
  });
  const shown = worst.slice(0, SHOWN_INDICATORS).map((i) => `${terminalSafe(i.value, 90)} (${i.verdict})`);
  if (worst.length > SHOWN_INDICATORS) shown.push(`+${worst.length - SHOWN_INDICATORS} more`);
  const parts = [
    isoTime(r.endAt ?? r.startAt) || '-',
    r.srcIp ?? '-',
    r.protocol ?? '-',
    terminalSafe(r.session, 40),
    r.verdict,
    `${r.loginAttempts} login(s)${r.loginSuccess ? ' ok' : ''}, ${r.commands.length} command(s), ${r.downloads} download(s), ${r.uploads} upload(s)`,
  ];
  if (shown.length > 0) parts.push(shown.join(', '));
  return `${parts.join('  ')}\n`;
}

/** `812 B`, `1.4 MB` */
export function bytesText(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** The pipeline's progress as the CLI's progress line: bytes while reading, lookups while enriching. */
export function cowrieProgressState(p: CowrieEnrichProgress): ProgressState {
  const lines = `${p.lines} lines, ${p.badLines} bad`;
  if (p.phase === 'read') return { phase: 'cowrie read', done: p.bytesRead, total: p.bytesTotal, unit: bytesText, detail: `${lines}, ${p.sessions} sessions` };
  return { phase: 'cowrie lookups', done: p.lookupsDone, total: p.lookupsTotal, detail: `${p.upstreamCalls} upstream calls, ${lines}` };
}
