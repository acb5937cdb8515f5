/**
 * One way to print results in every output mode: an aligned (coloured) table for people, or
 * JSON, NDJSON and CSV for machines, with `--fields` picking columns or keys. Every byte goes
 * through a scrubber so no configured secret can reach the terminal.
 */
import { ansiPaint, noPaint, type Paint, visibleLength } from './color.js';
import { csvLine } from './csv.js';
import { getPath, pickPaths } from './fields.js';
import { renderTable } from './table.js';
import { isoTime } from './time.js';

/** Raised for bad --fields (exit 2); a plain Error named so the CLI maps it without importing errors.js. */
export class FieldsError extends Error {
  override name = 'UsageError';
  readonly code = 'UsageError';
}

/** Epoch milliseconds under a key that names an instant (`fetchedAt`, `createdAt`, `first_seen`...). */
function isInstant(key: string, value: unknown): value is number {
  return typeof value === 'number' && value > 1e11 && value < 1e14 && /(At|_at|Date|_date|time|Time|seen|Seen)$/.test(key);
}

export type OutputMode = 'table' | 'json' | 'ndjson' | 'csv';

export interface Column<R> {
  /** Name used by --fields and as the CSV header. */
  key: string;
  /** Table header (default: the key in capitals). */
  header?: string;
  /** Raw value for CSV (default: the record's `key`). */
  value?: (row: R) => unknown;
  /** Table cell (default: the raw value as text). */
  text?: (row: R, paint: Paint) => string;
  right?: boolean;
  /** Only shown when asked for with --fields. */
  hidden?: boolean;
  /** Shown in CSV by default (overrides `hidden` there). */
  csv?: boolean;
  /** Fixed width for streamed tables. */
  width?: number;
}

export interface Writer {
  write(text: string): void;
}

export interface OutputOptions {
  mode: OutputMode;
  fields?: string[];
  color: boolean;
  quiet: boolean;
  stdout: Writer;
  stderr: Writer;
  /** Literal strings that must never be printed. */
  secrets?: () => readonly string[];
  /** stdout is a terminal: streamed tables truncate long cells with an ellipsis to stay aligned. */
  terminal?: boolean;
}

function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export class Output {
  readonly mode: OutputMode;
  readonly fields: string[] | undefined;
  readonly paint: Paint;
  readonly quiet: boolean;
  readonly #stdout: Writer;
  readonly #stderr: Writer;
  readonly #secrets: () => readonly string[];
  readonly #terminal: boolean;

  constructor(options: OutputOptions) {
    this.mode = options.mode;
    this.fields = options.fields;
    this.paint = options.color ? ansiPaint : noPaint;
    this.quiet = options.quiet;
    this.#stdout = options.stdout;
    this.#stderr = options.stderr;
    this.#secrets = options.secrets ?? (() => []);
    this.#terminal = options.terminal === true;
  }

  get machine(): boolean {
    return this.mode !== 'table';
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.#secrets()) if (secret.length >= 4) out = out.split(secret).join('***');
    return out;
  }

  /** A line on stdout. */
  line(text = ''): void {
    this.#stdout.write(`${this.scrub(text)}\n`);
  }

  /** Text on stdout as it is (a whole document that already ends its lines). */
  text(text: string): void {
    this.#stdout.write(this.scrub(text));
  }

  /** Informational line on stderr (suppressed by --quiet). */
  info(text: string): void {
    if (!this.quiet) this.#stderr.write(`${this.scrub(text)}\n`);
  }

  /** Warnings and errors on stderr (always shown). */
  warn(text: string): void {
    this.#stderr.write(`${this.scrub(text)}\n`);
  }

  /** Raw text on stderr (progress bars); not subject to --quiet. */
  stderrRaw(text: string): void {
    this.#stderr.write(this.scrub(text));
  }

  json(doc: unknown): void {
    this.line(JSON.stringify(doc, null, 2));
  }

  /** Columns for --fields: a column's key, or a dotted path into the records (checked against `rows` when given). */
  #selectColumns<R>(columns: readonly Column<R>[], rows?: readonly R[]): Column<R>[] {
    if (!this.fields) return columns.filter((c) => (this.mode === 'csv' ? (c.csv ?? !c.hidden) : !c.hidden));
    const known = (f: string) => columns.some((c) => c.key === f) || (f.includes('.') && (rows === undefined || rows.length === 0 || rows.some((r) => getPath(r, f) !== undefined)));
    const unknown = this.fields.filter((f) => !known(f));
    if (unknown.length > 0) throw fieldsError(unknown, columns.map((c) => c.key));
    return this.fields.map((field) => columns.find((c) => c.key === field) ?? { key: field, value: (r: R) => getPath(r, field) });
  }

  /** JSON keys: a field must name a column or a (dotted) path present in at least one record. */
  #checkPaths(rows: readonly unknown[], columns: readonly { key: string }[] = []): void {
    if (!this.fields || rows.length === 0) return;
    const unknown = this.fields.filter((f) => !columns.some((c) => c.key === f) && !rows.some((r) => getPath(r, f) !== undefined));
    if (unknown.length === 0) return;
    const keys = new Set([...columns.map((c) => c.key), ...rows.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r) : []))]);
    throw fieldsError(unknown, [...keys]);
  }

  #project(row: object): unknown {
    return this.fields ? pickPaths(row, this.fields) : row;
  }

  #cellText<R>(c: Column<R>, row: R): string {
    if (c.text) return c.text(row, this.paint);
    const v = c.value ? c.value(row) : getPath(row, c.key);
    return isInstant(c.key, v) ? isoTime(v) : textOf(v);
  }

  #cellValue<R>(c: Column<R>, row: R): unknown {
    const v = c.value ? c.value(row) : getPath(row, c.key);
    return isInstant(c.key, v) ? isoTime(v) : v;
  }

  /** A list of records. `document` wraps the (projected) records for --json. */
  list<R extends object>(rows: readonly R[], columns: readonly Column<R>[], options: { document?: (rows: unknown[]) => unknown; empty?: string } = {}): void {
    if (this.mode === 'json' || this.mode === 'ndjson') this.#checkPaths(rows, columns);
    switch (this.mode) {
      case 'json': {
        const projected = rows.map((r) => this.#project(r));
        this.json(options.document ? options.document(projected) : projected);
        return;
      }
      case 'ndjson':
        for (const r of rows) this.line(JSON.stringify(this.#project(r)));
        return;
      case 'csv': {
        const cols = this.#selectColumns(columns, rows);
        this.line(csvLine(cols.map((c) => c.key)));
        for (const r of rows) this.line(csvLine(cols.map((c) => this.#cellValue(c, r))));
        return;
      }
      default: {
        // No rows, no header: stdout stays empty (scripts test for it); the note goes to stderr.
        if (rows.length === 0) {
          if (options.empty !== undefined) this.info(options.empty);
          return;
        }
        const cols = this.#selectColumns(columns, rows);
        const right = new Set(cols.flatMap((c, i) => (c.right ? [i] : [])));
        const header = cols.map((c) => this.paint('bold', c.header ?? c.key.toUpperCase()));
        for (const l of renderTable(header, rows.map((r) => cols.map((c) => this.#cellText(c, r))), { right })) this.line(l);
      }
    }
  }

  /** Records printed as they arrive (tables use fixed widths). */
  stream<R extends object>(columns: readonly Column<R>[]): { push(row: R): void; end(document?: (rows: unknown[]) => unknown): void } {
    const cols = this.#selectColumns(columns);
    const collected: unknown[] = [];
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      if (this.mode === 'csv') this.line(csvLine(cols.map((c) => c.key)));
      if (this.mode === 'table') this.line(this.#fixed(cols, cols.map((c) => this.paint('bold', c.header ?? c.key.toUpperCase()))));
    };
    let checked = false;
    return {
      push: (row: R) => {
        if (!checked && (this.mode === 'json' || this.mode === 'ndjson')) this.#checkPaths([row], columns);
        checked = true;
        start();
        if (this.mode === 'json') collected.push(this.#project(row));
        else if (this.mode === 'ndjson') this.line(JSON.stringify(this.#project(row)));
        else if (this.mode === 'csv') this.line(csvLine(cols.map((c) => this.#cellValue(c, row))));
        else this.line(this.#fixed(cols, cols.map((c) => this.#cellText(c, row))));
      },
      end: (document) => {
        if (this.mode === 'json') this.json(document ? document(collected) : collected);
        else if (this.mode === 'csv') start();
      },
    };
  }

  #fixed<R>(cols: readonly Column<R>[], cells: readonly string[]): string {
    return cells
      .map((text, i) => {
        let cell = text;
        const c = cols[i] as Column<R>;
        const width = c.width ?? Math.max(visibleLength(c.header ?? c.key), 12);
        if (i === cells.length - 1) return cell;
        if (this.#terminal && visibleLength(cell) > width) cell = ellipsis(cell, width);
        const fill = ' '.repeat(Math.max(0, width - visibleLength(cell)));
        return c.right ? fill + cell : cell + fill;
      })
      .join('  ')
      .trimEnd();
  }

  /** One object: JSON/NDJSON print it (projected), CSV prints its scalar leaves as one row, a table prints `human()`. */
  object(value: object, human: () => string[]): void {
    if (this.mode !== 'table') this.#checkPaths([value]);
    switch (this.mode) {
      case 'json':
        this.json(this.#project(value));
        return;
      case 'ndjson':
        this.line(JSON.stringify(this.#project(value)));
        return;
      case 'csv': {
        const flat = flatten(this.#project(value));
        this.line(csvLine(Object.keys(flat)));
        this.line(csvLine(Object.values(flat)));
        return;
      }
      default:
        for (const l of human()) this.line(l);
    }
  }
}

function fieldsError(unknown: readonly string[], valid: readonly string[]): FieldsError {
  const s = unknown.length > 1 ? 's' : '';
  return new FieldsError(`unknown field${s} ${unknown.map((f) => JSON.stringify(f)).join(', ')} in --fields; valid fields: ${valid.join(', ')}`);
}

/** `text` cut to `width` visible characters, the last one an ellipsis (colour codes dropped). */
export function ellipsis(text: string, width: number): string {
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  return plain.length <= width ? plain : `${plain.slice(0, Math.max(0, width - 1))}…`;
}

/** `{a:{b:1}}` -> `{'a.b': 1}`; arrays stay JSON text. */
export function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value;
  }
  return out;
}

/** Key/value lines for people: `key   value` aligned. */
export function keyValueLines(pairs: ReadonlyArray<readonly [string, string]>, paint: Paint): string[] {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${paint('dim', k.padEnd(width))}  ${v}`.trimEnd());
}
