/**
 * Exports of any search (or everything) as CSV, NDJSON, JSON, IOC lists, a STIX 2.1 bundle, a MISP
 * event or a PDF report. Every format streams page by page from the search index: nothing is built
 * whole in memory, no quota is spent, and no key or token is ever part of a record.
 */
import { createHash } from 'node:crypto';
import type { IndicatorRecord, SearchQuery, SearchRepository } from '../store/index.js';
import { csvHeader, csvRow } from './csv.js';
import { iocChunks } from './ioc.js';
import { mispChunks } from './misp.js';
import type { PdfInput } from './pdf.js';
import { scopeText } from './scope.js';
import { stixChunks } from './stix.js';
import { CONTENT_TYPES, type ExportOptions, type ExportStream } from './types.js';

export { CSV_COLUMNS, csvField } from './csv.js';
export { canonicalJson, uuidv5 } from './ids.js';
export { scoOf, patternOf, confidenceOf } from './stix.js';
export { MISP_TEMPLATES } from './misp.js';
export { EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportStream } from './types.js';

const PAGE = 500;

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function* lines(records: AsyncIterable<IndicatorRecord>, head: string, row: (r: IndicatorRecord, i: number) => string, tail: string): AsyncGenerator<string> {
  if (head) yield head;
  let buf = '';
  let i = 0;
  for await (const r of records) {
    buf += row(r, i++);
    if (i % PAGE === 0) {
      yield buf;
      buf = '';
      await tick();
    }
  }
  if (buf || tail) yield buf + tail;
}

/** The record as NDJSON/JSON carry it (the feed cursor stays internal). */
function publicRecord(r: IndicatorRecord): Omit<IndicatorRecord, 'seq'> {
  const { seq: _seq, ...rest } = r;
  return rest;
}

/** pdfkit is loaded only when a PDF is asked for (it is the heaviest module here). */
async function* lazyPdf(input: PdfInput): AsyncGenerator<Uint8Array> {
  const { pdfChunks } = await import('./pdf.js');
  yield* pdfChunks(input);
}

/** Starts an export. The index is brought up to date first; the chunks are produced as they are read. */
export async function exportIndicators(repo: SearchRepository, options: ExportOptions): Promise<ExportStream> {
  await repo.syncAsync();
  const { limit: _limit, cursor: _cursor, ...query } = options.query ?? {};
  const format = options.format;
  const ct = CONTENT_TYPES[format];
  if (!ct) throw new RangeError(`unknown export format ${String(format)}`);
  const producer = options.producer ?? 'vt-gateway';
  const now = options.now ?? Date.now();
  const total = await repo.count(query);
  const feedCursor = await repo.feedCursor();
  const etag = `W/"${createHash('sha256').update(JSON.stringify([format, query, feedCursor, total, producer])).digest('base64url').slice(0, 27)}"`;
  const records = (q: SearchQuery = query) => repo.iterate(q, PAGE);
  const edges = (r: IndicatorRecord) => repo.edges(r.kind, r.id);
  let chunks: AsyncIterable<string | Uint8Array>;
  switch (format) {
    case 'csv':
      chunks = lines(records(), csvHeader(), csvRow, '');
      break;
    case 'ndjson':
      chunks = lines(records(), '', (r) => `${JSON.stringify(publicRecord(r))}\n`, '');
      break;
    case 'json':
      chunks = lines(records(), `{"generated":"${new Date(now).toISOString()}","total":${total},"feedCursor":${feedCursor},"items":[`, (r, i) => `${i === 0 ? '\n' : ',\n'}${JSON.stringify(publicRecord(r))}`, '\n]}\n');
      break;
    case 'ioc':
      chunks = iocChunks(records, query);
      break;
    case 'stix':
      chunks = stixChunks(records(), { producer, now, edges, hashes: async (kind, id) => (await repo.get(kind, id))?.hashes ?? null });
      break;
    case 'misp':
      chunks = mispChunks(records(), { producer, now, tlp: options.tlp ?? 'tlp:amber', edges, exported: (kind, id) => repo.matches(query, kind, id), info: `${producer} export: ${scopeText(query)}` });
      break;
    case 'pdf': {
      const summary = await repo.summary(query);
      const verdict = query.verdict ?? ['malicious', 'suspicious'];
      const top = (await repo.search({ ...query, verdict, sort: 'detections', limit: 20 }, { count: false })).items.filter((r) => r.verdict === 'malicious' || r.verdict === 'suspicious');
      chunks = lazyPdf({ producer, now, query, summary, top, appendix: records(), appendixRows: 1000, ...(options.quota ? { quota: options.quota } : {}) });
      break;
    }
    default:
      throw new RangeError(`unknown export format ${String(format)}`);
  }
  return { format, contentType: ct.type, extension: ct.ext, total, feedCursor, etag, chunks };
}
