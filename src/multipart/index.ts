/**
 * The one streaming multipart/form-data parser, shared by the HTTP service (uploads, vt-go forms) and
 * the simulator. Part bodies come out chunk by chunk as the request arrives, so an upload is never
 * held in memory: only the last boundary-length bytes are kept back. Hostile input is bounded: part
 * headers (8 KB), preamble (64 KB), number of parts (20 by default) and field names (200 chars).
 * Pure: no I/O, no dependencies (see the README's libraries list for why not busboy).
 */

export class MultipartError extends Error {
  override name = 'MultipartError';
  readonly code = 'BadMultipart';
}

export interface PartHeaders {
  name: string;
  filename: string | null;
  contentType: string | null;
}

export type MultipartEvent = { type: 'part'; part: PartHeaders } | { type: 'data'; data: Buffer } | { type: 'end' };

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 8 * 1024;
const MAX_PREAMBLE_BYTES = 64 * 1024;

/** The boundary of a multipart/form-data Content-Type, or a MultipartError. */
export function boundaryOf(contentType: string | undefined): string {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) throw new MultipartError('expected a multipart/form-data body');
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new MultipartError('multipart/form-data without a boundary');
  return boundary;
}

function param(header: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(header);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? null);
}

function parseHeaders(block: string): PartHeaders {
  let disposition: string | undefined;
  let contentType: string | null = null;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') disposition = value;
    else if (key === 'content-type') contentType = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('a part has no Content-Disposition: form-data header');
  const name = param(disposition, 'name');
  if (name === null || name.length === 0 || name.length > 200) throw new MultipartError('a part has no field name');
  return { name, filename: param(disposition, 'filename'), contentType };
}

type State = 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done';

export class MultipartParser {
  readonly #delimiter: Buffer;
  readonly #maxParts: number;
  // A leading CRLF lets the first boundary (which has none before it) match the same delimiter.
  #buf: Buffer = Buffer.from(CRLF);
  #state: State = 'preamble';
  #parts = 0;
  #preamble = 0;

  /** `data` events are views into the parser's buffer: copy what must outlive the next `push`. */
  constructor(boundary: string, options: { maxParts?: number } = {}) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
    this.#maxParts = options.maxParts ?? 20;
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /** Feeds bytes; returns what they completed. Throws MultipartError on malformed input. */
  push(chunk: Buffer): MultipartEvent[] {
    const out: MultipartEvent[] = [];
    if (this.#state === 'done') return out;
    this.#buf = this.#buf.length > 0 ? Buffer.concat([this.#buf, chunk]) : chunk;
    this.#process(out);
    return out;
  }

  /** Call at the end of the body: throws when it stopped before the closing boundary. */
  finish(): void {
    if (this.#state !== 'done') throw new MultipartError('the multipart body is truncated (no closing boundary)');
  }

  #process(out: MultipartEvent[]): void {
    const delimiter = this.#delimiter;
    for (;;) {
      const buf = this.#buf;
      switch (this.#state) {
        case 'preamble': {
          const i = buf.indexOf(delimiter);
          if (i < 0) {
            const keep = Math.min(buf.length, delimiter.length - 1);
            this.#preamble += buf.length - keep;
            if (this.#preamble > MAX_PREAMBLE_BYTES) throw new MultipartError('no multipart boundary found');
            this.#buf = buf.subarray(buf.length - keep);
            return;
          }
          this.#buf = buf.subarray(i + delimiter.length);
          this.#state = 'after-boundary';
          break;
        }
        case 'after-boundary': {
          if (buf.length < 2) return;
          if (buf[0] === 0x2d && buf[1] === 0x2d) {
            this.#state = 'done';
            this.#buf = Buffer.alloc(0);
            return;
          }
          const eol = buf.indexOf(CRLF);
          if (eol < 0) {
            if (buf.length > 256) throw new MultipartError('malformed multipart boundary line');
            return;
          }
          if (buf.subarray(0, eol).toString('latin1').trim() !== '') throw new MultipartError('malformed multipart boundary line');
          this.#buf = buf.subarray(eol + 2);
          this.#state = 'headers';
          break;
        }
        case 'headers': {
          let end: number;
          let skip: number;
          if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
            end = 0;
            skip = 2;
          } else {
            end = buf.indexOf(HEADER_END);
            skip = 4;
          }
          if (end < 0) {
            if (buf.length > MAX_HEADER_BYTES) throw new MultipartError('multipart part headers are too long');
            return;
          }
          if (end > MAX_HEADER_BYTES) throw new MultipartError('multipart part headers are too long');
          if (++this.#parts > this.#maxParts) throw new MultipartError(`too many multipart parts (max ${this.#maxParts})`);
          out.push({ type: 'part', part: parseHeaders(buf.subarray(0, end).toString('utf8')) });
          this.#buf = buf.subarray(end + skip);
          this.#state = 'body';
          break;
        }
        case 'body': {
          const i = buf.indexOf(delimiter);
          if (i >= 0) {
            if (i > 0) out.push({ type: 'data', data: buf.subarray(0, i) });
            out.push({ type: 'end' });
            this.#buf = buf.subarray(i + delimiter.length);
            this.#state = 'after-boundary';
            break;
          }
          const keep = delimiter.length - 1;
          if (buf.length > keep) {
            out.push({ type: 'data', data: buf.subarray(0, buf.length - keep) });
            this.#buf = buf.subarray(buf.length - keep);
          }
          return;
        }
        case 'done':
          return;
      }
    }
  }
}
