/**
 * The simulator's form reading: the file part is hashed as it streams (never buffered), the other
 * parts are kept as text. Parsing is the shared `src/multipart` parser, the same one the gateway uses.
 */
import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MultipartError, MultipartParser } from '../multipart/index.js';
import { MockBodyTooLarge } from './http-util.js';

export { MultipartError };

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

  const start = (name: string, filename: string | null) => {
    if (name === fileField && file === null && digest === null) digest = new FileDigest(filename, options.marker);
    else field = { name, chunks: [], size: 0 };
  };
  const data = (chunk: Buffer) => {
    if (digest) {
      if (digest.size + chunk.length > options.maxFileBytes) throw new MockBodyTooLarge(options.maxFileBytes);
      digest.update(chunk);
    } else if (field) {
      field.size += chunk.length;
      if (field.size > maxField) throw new MockBodyTooLarge(maxField);
      field.chunks.push(Buffer.from(chunk));
    }
  };
  const end = () => {
    if (digest) {
      file = digest.result();
      digest = null;
    } else if (field) {
      if (!(field.name in fields)) fields[field.name] = Buffer.concat(field.chunks).toString('utf8');
      field = null;
    }
  };
  const parser = new MultipartParser(boundary);
  const write = (chunk: Buffer) => {
    for (const e of parser.push(chunk)) {
      if (e.type === 'part') start(e.part.name, e.part.filename);
      else if (e.type === 'data') data(e.data);
      else end();
    }
  };

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
        write(chunk);
      } catch (err) {
        fail(err);
      }
    };
    req.on('data', onData);
    req.on('end', () => {
      if (settled) return;
      try {
        parser.finish();
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
