/**
 * JSON for lookup answers. A memory-cached entry hands out the same raw upstream object
 * (`report.data`, most of the bytes) on every hit, so the report's JSON is kept per object (weakly:
 * it goes when the cache drops the entry) and only the small envelope (source, age) is serialized
 * per request. A cache hit therefore does not re-serialize 15 KB.
 */
import type { LookupResult } from '../gateway/index.js';

/** data object -> report id -> the report's JSON bytes (data last) followed by the envelope's closing brace. */
const reportBytes = new WeakMap<object, Map<string, Buffer>>();

function serializeReport(report: LookupResult['report']): Buffer {
  const { data, ...rest } = report;
  if (data === undefined) return Buffer.from(`${JSON.stringify(rest)}}`);
  const head = JSON.stringify(rest);
  const separator = head === '{}' ? '' : ',';
  return Buffer.from(`${head.slice(0, -1)}${separator}"data":${JSON.stringify(data)}}}`);
}

function reportJson(report: LookupResult['report']): Buffer {
  const data = report.data;
  if (data === null || typeof data !== 'object') return serializeReport(report);
  let byId = reportBytes.get(data);
  const cached = byId?.get(report.id);
  if (cached) return cached;
  const bytes = serializeReport(report);
  if (!byId) {
    byId = new Map();
    reportBytes.set(data, byId);
  }
  byId.set(report.id, bytes);
  return bytes;
}

/**
 * `JSON.stringify(result)` (with `report.data` as the report's last key) in two pieces: a small
 * per-request envelope and the cached report bytes. Written as two chunks, nothing is copied.
 */
export function lookupResultParts(result: LookupResult): [Buffer, Buffer] {
  const head = JSON.stringify({
    indicator: result.indicator,
    provider: result.provider,
    source: result.source,
    stale: result.stale,
    ageMs: result.ageMs,
    fetchedAt: result.fetchedAt,
    report: null,
  });
  // head ends with `"report":null}`: replace the placeholder with the report's bytes
  return [Buffer.from(head.slice(0, -5)), reportJson(result.report)];
}

/** The same JSON as one buffer. */
export function lookupResultJson(result: LookupResult): Buffer {
  const [prefix, report] = lookupResultParts(result);
  return Buffer.concat([prefix, report], prefix.length + report.length);
}
