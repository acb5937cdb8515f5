/**
 * CSV export: one row per indicator, RFC 4180 (CRLF, fields with `,` `"` CR or LF quoted, quotes
 * doubled) and safe to open in a spreadsheet: a text cell starting with `=`, `+`, `-`, `@`, tab or CR
 * gets a leading `'` so it is never evaluated as a formula (OWASP CSV injection).
 */
import type { IndicatorRecord } from '../store/index.js';

export interface CsvColumn {
  name: string;
  doc: string;
  value: (r: IndicatorRecord) => string | number | null;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined || ms <= 0 ? '' : new Date(ms).toISOString());

/** The CSV columns, in order. Stable: new columns are only ever appended. */
export const CSV_COLUMNS: readonly CsvColumn[] = [
  { name: 'kind', doc: 'file, url, domain or ip', value: (r) => r.kind },
  { name: 'indicator', doc: 'the value (a file: its sha256 when known)', value: (r) => r.indicator },
  { name: 'id', doc: 'canonical id (a URL: the sha256 of the URL, as VirusTotal names it)', value: (r) => r.id },
  { name: 'verdict', doc: 'most severe verdict across providers', value: (r) => r.verdict },
  { name: 'detections', doc: 'highest malicious count across providers', value: (r) => r.detections },
  { name: 'engines', doc: 'engines that gave a verdict (VirusTotal)', value: (r) => r.engines },
  { name: 'detection_ratio', doc: 'detections/engines', value: (r) => (r.engines ? `${r.detections}/${r.engines}` : '') },
  { name: 'threat_label', doc: 'VirusTotal suggested threat label (or another provider\'s)', value: (r) => r.threatLabel },
  { name: 'names', doc: 'known file names, separated by " | "', value: (r) => r.names.join(' | ') },
  { name: 'tags', doc: 'VirusTotal tags, separated by " | "', value: (r) => r.tags.join(' | ') },
  { name: 'md5', doc: 'files', value: (r) => r.hashes?.md5 ?? '' },
  { name: 'sha1', doc: 'files', value: (r) => r.hashes?.sha1 ?? '' },
  { name: 'sha256', doc: 'files', value: (r) => r.hashes?.sha256 ?? '' },
  { name: 'providers', doc: 'providers that answered, each as name:verdict, separated by " | "', value: (r) => r.providers.map((p) => `${p.provider}:${p.verdict}`).join(' | ') },
  { name: 'first_seen', doc: 'first time the gateway saw it (ISO 8601 UTC)', value: (r) => iso(r.firstSeen) },
  { name: 'last_seen', doc: 'last time the gateway saw it (ISO 8601 UTC)', value: (r) => iso(r.lastSeen) },
  { name: 'observations', doc: 'upstream answers recorded in history', value: (r) => r.observations },
  { name: 'permalink', doc: 'VirusTotal link', value: (r) => r.permalink ?? '' },
];

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: neutralised against formula injection, then quoted when needed. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.map((c) => c.name).join(',')}\r\n`;
}

export function csvRow(r: IndicatorRecord): string {
  return `${CSV_COLUMNS.map((c) => csvField(c.value(r))).join(',')}\r\n`;
}
