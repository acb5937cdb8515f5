/**
 * A multipart/form-data body streamed from disk with a known Content-Length, so uploads of
 * hundreds of MB never sit in memory.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { FileBodyStream } from './file-body-stream.js';

export interface MultipartFile {
  path: string;
  /** Name sent in the part's Content-Disposition. */
  filename: string;
  /** Extra form fields sent before the file (e.g. `password`). */
  fields?: Record<string, string>;
}

export interface MultipartBody {
  contentType: string;
  /** Exact byte length of the whole body. */
  length: number;
  /** Size of the file part alone. */
  fileSize: number;
  /** A fresh stream of the body; `onProgress` runs for every chunk read from disk. */
  stream(onProgress?: () => void): FileBodyStream;
}

/** WHATWG form encoding of names in Content-Disposition: no raw quote or line break. */
function quoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export async function multipartFromFile(file: MultipartFile): Promise<MultipartBody> {
  const info = await stat(file.path);
  if (!info.isFile()) throw new Error(`not a regular file: ${file.path}`);
  const boundary = `----vtgateway${randomBytes(12).toString('hex')}`;
  let head = '';
  for (const [name, value] of Object.entries(file.fields ?? {})) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`;
  }
  // vt-py writes a plain filename="..." (VT's upload handler rejects the RFC 5987 filename*= form)
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(file.filename)}"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  const headBytes = Buffer.from(head, 'utf8');
  const tailBytes = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  const fileSize = info.size;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: headBytes.length + fileSize + tailBytes.length,
    fileSize,
    stream: (onProgress) => new FileBodyStream({ path: file.path, size: fileSize, head: headBytes, tail: tailBytes, onProgress }),
  };
}
