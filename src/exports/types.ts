import type { SearchQuery } from '../store/index.js';

export const EXPORT_FORMATS = ['csv', 'ndjson', 'json', 'ioc', 'stix', 'misp', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  /** Filters (as for search); `limit` and `cursor` are ignored: every matching indicator is exported. */
  query?: SearchQuery;
  /** Name of the producer (STIX identity, MISP organisation, PDF title). Default "vt-gateway". */
  producer?: string;
  /** Export time (epoch ms); default now. */
  now?: number;
  /** PDF only: the quota summary printed in the report. */
  quota?: Array<{ provider: string; window: string; used: number; limit: number | null }>;
  /** MISP only: the event's TLP tag (default `tlp:amber`). */
  tlp?: string;
}

/** A streamed export: chunks are produced page by page, never the whole document at once. */
export interface ExportStream {
  format: ExportFormat;
  contentType: string;
  /** File name extension without the dot. */
  extension: string;
  /** Rows matching the filters when the export started. */
  total: number;
  /** Feed cursor at the start of the export: pass as `after` next time to get only what changed. */
  feedCursor: number;
  /** A weak validator of the content: same filters, same index state = same ETag. */
  etag: string;
  chunks: AsyncIterable<string | Uint8Array>;
}

export const CONTENT_TYPES: Record<ExportFormat, { type: string; ext: string }> = {
  csv: { type: 'text/csv; charset=utf-8; header=present', ext: 'csv' },
  ndjson: { type: 'application/x-ndjson; charset=utf-8', ext: 'ndjson' },
  json: { type: 'application/json; charset=utf-8', ext: 'json' },
  ioc: { type: 'text/plain; charset=utf-8', ext: 'txt' },
  stix: { type: 'application/stix+json; version=2.1; charset=utf-8', ext: 'stix.json' },
  misp: { type: 'application/json; charset=utf-8', ext: 'misp.json' },
  pdf: { type: 'application/pdf', ext: 'pdf' },
};
