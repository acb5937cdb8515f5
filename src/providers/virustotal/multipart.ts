/**
 * A multipart/form-data body streamed from disk with a known Content-Length, so uploads of
 * hundreds of MB never sit in memory.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

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
  stream(onProgress?: () => void): Readable;
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
    stream(onProgress) {
      async function* body(): AsyncGenerator<Buffer> {
        yield headBytes;
        let sent = 0;
        for await (const chunk of createReadStream(file.path, { highWaterMark: Number(process.env.HWM ?? 256) * 1024 })) {
          sent += (chunk as Buffer).length;
          if (sent > fileSize) break;
          onProgress?.();
          yield chunk as Buffer;
        }
        if (sent !== fileSize) throw new Error('the file changed size while it was being uploaded');
        yield tailBytes;
      }
      return Readable.from(body(), { objectMode: false });
    },
  };
}
