/**
 * JSON for lookup answers. A memory-cached entry hands out the same raw upstream object
 * (`report.data`, most of the bytes) on every hit, so the report's JSON is kept per object (weakly:
 * it goes when the cache drops the entry) and only the small envelope (source, age) is serialized
 * per request. A cache hit therefore does not re-serialize 15 KB.
 */
import type { LookupResult } from '../gateway/index.js';
import { answerPermalink } from '../indicators/index.js';

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

/** The envelope of one lookup answer around its `ageMs`, which changes on every request. */
interface Envelope {
  /** Up to `"ageMs":`. */
  start: string;
  /** UTF-8 bytes of `start` plus those of `tail` (the age between them is ASCII). */
  bytes: number;
  fetchedAt: number;
  simulated: boolean;
  /**
   * From `,"fetchedAt":` to `"report":`: the answer's `permalink` (the object's page on VirusTotal, which
   * changes only with the answer, hence with fetchedAt), and `"simulated":true` for a simulated answer.
   */
  tail: string;
}

/**
 * Frozen indicators (shared by every request for them, see indicator-input.ts) -> their envelope per
 * provider and source. JSON.stringify scans every character of the two 64-hex fields: a hot
 * indicator's envelope is built once (and its tail again only when the cached answer is replaced).
 */
const envelopes = new WeakMap<object, Map<string, Partial<Record<string, Envelope>>>>();

const number = (n: number) => (Number.isFinite(n) ? `${n}` : 'null');

function envelopeStart(result: LookupResult): string {
  // provider and source are fixed names (no escaping); the key order is that of the LookupResult
  return `{"indicator":${JSON.stringify(result.indicator)},"provider":"${result.provider}","source":"${result.source}","stale":${result.stale === true},"ageMs":`;
}

function envelopeTail(result: LookupResult): string {
  return `,"fetchedAt":${number(result.fetchedAt)},"permalink":${JSON.stringify(answerPermalink(result))},${result.simulated === true ? '"simulated":true,' : ''}"report":`;
}

function newEnvelope(result: LookupResult): Envelope {
  const start = envelopeStart(result);
  const tail = envelopeTail(result);
  return { start, bytes: Buffer.byteLength(start) + Buffer.byteLength(tail), fetchedAt: result.fetchedAt, simulated: result.simulated === true, tail };
}

function envelopeOf(result: LookupResult): Envelope {
  const indicator = result.indicator;
  // only the usual pairing (stale exactly when the source is 'stale') is remembered
  if (!Object.isFrozen(indicator) || result.stale !== (result.source === 'stale')) {
    return newEnvelope(result);
  }
  let byProvider = envelopes.get(indicator);
  if (!byProvider) {
    byProvider = new Map();
    envelopes.set(indicator, byProvider);
  }
  let bySource = byProvider.get(result.provider);
  if (!bySource) {
    bySource = {};
    byProvider.set(result.provider, bySource);
  }
  let envelope = bySource[result.source];
  if (!envelope) {
    envelope = newEnvelope(result);
    bySource[result.source] = envelope;
  } else if (envelope.fetchedAt !== result.fetchedAt || envelope.simulated !== (result.simulated === true)) {
    envelope.fetchedAt = result.fetchedAt;
    envelope.simulated = result.simulated === true;
    const tail = envelopeTail(result);
    envelope.bytes += Buffer.byteLength(tail) - Buffer.byteLength(envelope.tail);
    envelope.tail = tail;
  }
  return envelope;
}

/**
 * `JSON.stringify(result)` plus the answer's `permalink` (with `report.data` as the report's last key) in two pieces: the small
 * per-request envelope (a string: node sends it in one chunk with the status line and headers) and
 * the cached report bytes, which are never copied; and the envelope's length in UTF-8 bytes (known
 * from the cached pieces, so the string is not measured per request).
 */
export function lookupResultParts(result: LookupResult): [head: string, report: Buffer, headBytes: number] {
  const envelope = envelopeOf(result);
  const age = number(result.ageMs);
  return [envelope.start + age + envelope.tail, reportJson(result.report), envelope.bytes + age.length];
}

/** The same JSON as one buffer. */
export function lookupResultJson(result: LookupResult): Buffer {
  const [head, report, headBytes] = lookupResultParts(result);
  const out = Buffer.allocUnsafe(headBytes + report.length);
  out.write(head, 0, 'utf8');
  report.copy(out, headBytes);
  return out;
}
