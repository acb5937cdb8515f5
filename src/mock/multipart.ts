import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MockBodyTooLarge } from './http-util.js';

/** The body is not valid multipart/form-data. */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

export interface PartInfo {
  name: string;
  filename: string | null;
  contentType: string | null;
}

export interface PartHandler {
  start(part: PartInfo): void;
  /** The chunk is a view into the parser's buffer: use it before returning. */
  data(chunk: Buffer): void;
  end(): void;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';

function dispositionParam(header: string, param: string): string | null {
  const re = new RegExp(`;\\s*${param}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i');
  const m = re.exec(header);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? null);
}

/**
 * Streaming multipart/form-data parser: part bodies are handed over chunk by chunk as they arrive,
 * so a large upload is never held in memory (only the last boundary-length bytes are kept back).
 */
export class MultipartParser {
  readonly #delimiter: Buffer;
  readonly #handler: PartHandler;
  // The leading CRLF lets the first boundary (which has none before it) match the same delimiter.
  #buf: Buffer = Buffer.from('\r\n');
  #state: State = 'preamble';

  constructor(boundary: string, handler: PartHandler) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
    this.#handler = handler;
  }

  write(chunk: Buffer): void {
    if (this.#state === 'done') return;
    this.#buf = this.#buf.length > 0 ? Buffer.concat([this.#buf, chunk]) : chunk;
    this.#process();
  }

  end(): void {
    if (this.#state !== 'done') throw new MultipartError('multipart body ended before its closing boundary');
  }

  #process(): void {
    const delim = this.#delimiter;
    for (;;) {
      const buf = this.#buf;
      switch (this.#state) {
        case 'preamble': {
          const i = buf.indexOf(delim);
          if (i < 0) {
            this.#buf = buf.subarray(Math.max(0, buf.length - (delim.length - 1)));
            return;
          }
          this.#buf = buf.subarray(i + delim.length);
          this.#state = 'after-delimiter';
          break;
        }
        case 'after-delimiter': {
          if (buf.length < 2) return;
          if (buf[0] === 0x2d && buf[1] === 0x2d) {
            this.#state = 'done';
            this.#buf = Buffer.alloc(0);
            return;
          }
          const i = buf.indexOf(CRLF);
          if (i < 0) {
            if (buf.length > 1024) throw new MultipartError('malformed multipart boundary line');
            return;
          }
          if (buf.subarray(0, i).toString('latin1').trim() !== '') throw new MultipartError('malformed multipart boundary line');
          this.#buf = buf.subarray(i + 2);
          this.#state = 'headers';
          break;
        }
        case 'headers': {
          if (buf.length < 2) return;
          let block: string;
          if (buf[0] === 0x0d && buf[1] === 0x0a) {
            block = '';
            this.#buf = buf.subarray(2);
          } else {
            const i = buf.indexOf(HEADER_END);
            if (i < 0) {
              if (buf.length > MAX_HEADER_BYTES) throw new MultipartError('multipart part headers too large');
              return;
            }
            block = buf.subarray(0, i).toString('utf8');
            this.#buf = buf.subarray(i + 4);
          }
          this.#handler.start(this.#parseHeaders(block));
          this.#state = 'body';
          break;
        }
        case 'body': {
          const i = buf.indexOf(delim);
          if (i >= 0) {
            if (i > 0) this.#handler.data(buf.subarray(0, i));
            this.#handler.end();
            this.#buf = buf.subarray(i + delim.length);
            this.#state = 'after-delimiter';
            break;
          }
          const keep = delim.length - 1;
          if (buf.length > keep) {
            this.#handler.data(buf.subarray(0, buf.length - keep));
            this.#buf = buf.subarray(buf.length - keep);
          }
          return;
        }
        case 'done':
          this.#buf = Buffer.alloc(0);
          return;
      }
    }
  }

  #parseHeaders(block: string): PartInfo {
    let disposition = '';
    let contentType: string | null = null;
    for (const line of block.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-disposition') disposition = value;
      else if (name === 'content-type') contentType = value;
    }
    if (!/^form-data\b/i.test(disposition)) throw new MultipartError('multipart part without Content-Disposition: form-data');
    const name = dispositionParam(disposition, 'name');
    if (name === null) throw new MultipartError('multipart part without a name');
    return { name, filename: dispositionParam(disposition, 'filename'), contentType };
  }
}

/** What was learnt about an uploaded file while it streamed by. */
export interface UploadedFile {
  filename: string | null;
  size: number;
  sha256: string;
  sha1: string;
  md5: string;
  /** The first bytes (magic number). */
  head: Buffer;
  /** Whether the content holds the given marker (the EICAR string). */
  hasMarker: boolean;
}

export interface FormOptions {
  /** Name of the part hashed as a file (not buffered); other parts are buffered as text fields. */
  fileField?: string;
  maxFileBytes: number;
  maxFieldBytes?: number;
  /** Looked for across chunk boundaries in the file part. */
  marker?: Buffer;
}

export interface ParsedForm {
  fields: Record<string, string>;
  file: UploadedFile | null;
}

class FileDigest {
  readonly #hashes: Hash[] = [createHash('sha256'), createHash('sha1'), createHash('md5')];
  readonly #marker: Buffer | undefined;
  #tail: Buffer = Buffer.alloc(0);
  #head: Buffer = Buffer.alloc(0);
  size = 0;
  hasMarker = false;

  constructor(
    readonly filename: string | null,
    marker: Buffer | undefined,
  ) {
    this.#marker = marker;
  }

  update(chunk: Buffer): void {
    this.size += chunk.length;
    for (const h of this.#hashes) h.update(chunk);
    if (this.#head.length < 16) this.#head = Buffer.concat([this.#head, chunk.subarray(0, 16 - this.#head.length)]);
    const marker = this.#marker;
    if (marker && !this.hasMarker) {
      const overlap = Buffer.concat([this.#tail, chunk.subarray(0, marker.length - 1)]);
      this.hasMarker = overlap.includes(marker) || chunk.includes(marker);
      const joined = chunk.length >= marker.length - 1 ? chunk : Buffer.concat([this.#tail, chunk]);
      this.#tail = Buffer.from(joined.subarray(Math.max(0, joined.length - (marker.length - 1))));
    }
  }

  result(): UploadedFile {
    const [sha256, sha1, md5] = this.#hashes.map((h) => h.digest('hex')) as [string, string, string];
    return { filename: this.filename, size: this.size, sha256, sha1, md5, head: this.#head, hasMarker: this.hasMarker };
  }
}

/**
 * Parses a multipart/form-data request as it streams: the file part is hashed (never buffered),
 * the other parts are kept as text. Rejects with MultipartError or MockBodyTooLarge; on rejection
 * the rest of the body is drained so the caller can still answer.
 */
export function parseForm(req: IncomingMessage, boundary: string, options: FormOptions): Promise<ParsedForm> {
  const fileField = options.fileField ?? 'file';
  const maxField = options.maxFieldBytes ?? 64 * 1024;
  const fields: Record<string, string> = {};
  let file: UploadedFile | null = null;
  let digest: FileDigest | null = null;
  let field: { name: string; chunks: Buffer[]; size: number } | null = null;

  const parser = new MultipartParser(boundary, {
    start(part) {
      if (part.name === fileField && file === null && digest === null) digest = new FileDigest(part.filename, options.marker);
      else field = { name: part.name, chunks: [], size: 0 };
    },
    data(chunk) {
      if (digest) {
        if (digest.size + chunk.length > options.maxFileBytes) throw new MockBodyTooLarge(options.maxFileBytes);
        digest.update(chunk);
      } else if (field) {
        field.size += chunk.length;
        if (field.size > maxField) throw new MockBodyTooLarge(maxField);
        field.chunks.push(Buffer.from(chunk));
      }
    },
    end() {
      if (digest) {
        file = digest.result();
        digest = null;
      } else if (field) {
        if (!(field.name in fields)) fields[field.name] = Buffer.concat(field.chunks).toString('utf8');
        field = null;
      }
    },
  });

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.resume();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      try {
        parser.write(chunk);
      } catch (err) {
        fail(err);
      }
    };
    req.on('data', onData);
    req.on('end', () => {
      if (settled) return;
      try {
        parser.end();
        settled = true;
        resolve({ fields, file });
      } catch (err) {
        fail(err);
      }
    });
    req.on('error', fail);
    req.on('close', () => {
      if (!req.complete) fail(new MultipartError('the client closed the connection before the body ended'));
    });
  });
}
