/**
 * How a report is stored: raw-deflated JSON in a BLOB. VirusTotal objects are 10-40 KB of
 * repetitive JSON that deflate to about a sixth; inflating costs less than parsing, and writes
 * happen at upstream pace only. Text rows (older files) still read.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Report } from '../../providers/types.js';

export function encodeReport(report: Report): Buffer {
  return deflateRawSync(JSON.stringify(report), { level: 6 });
}

export function decodeReport(stored: string | Buffer | Uint8Array): Report {
  const text = typeof stored === 'string' ? stored : inflateRawSync(stored).toString('utf8');
  return JSON.parse(text) as Report;
}
