/**
 * Receives a multipart upload: the `file` part is streamed to a fresh private temp directory with a
 * byte cap (never buffered in memory); small text fields (e.g. `password`) are collected.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'hono';
import { checkDeclaredLength, tooLarge } from './body.js';
import { HttpError } from '../errors.js';
import { boundaryOf, MultipartError, MultipartParser } from '../../multipart/index.js';
import type { AppEnv } from '../types.js';

export interface ReceivedUpload {
  path: string;
  /** The client's file name, reduced to a safe base name (never used as a path). */
  filename: string;
  size: number;
  fields: Record<string, string>;
  /** Removes the temp file and its directory. */
  cleanup(): Promise<void>;
}

const MAX_FIELD_BYTES = 64 * 1024;
/** Room for the multipart framing and text fields on top of the file itself. */
const FRAMING_ALLOWANCE = 1024 * 1024;

export function safeFilename(name: string | null): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
  return clean && clean !== '.' && clean !== '..' ? clean : 'upload.bin';
}

async function write(stream: WriteStream, data: Buffer): Promise<void> {
  if (!stream.write(data)) await once(stream, 'drain');
}

export async function receiveUpload(c: Context<AppEnv>, options: { maxBytes: number; dir: string }): Promise<ReceivedUpload> {
  let parser: MultipartParser;
  try {
    parser = new MultipartParser(boundaryOf(c.req.header('content-type')));
  } catch (err) {
    throw new HttpError(400, 'BadMultipart', (err as Error).message);
  }
  checkDeclaredLength(c, options.maxBytes + FRAMING_ALLOWANCE);
  const body = c.req.raw.body;
  if (!body) throw new HttpError(400, 'MissingFile', 'the multipart body has no `file` part');

  const dir = await mkdtemp(join(options.dir, 'vtg-upload-'));
  const path = join(dir, 'upload.bin');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  let file: WriteStream | undefined;
  let filename = 'upload.bin';
  let size = 0;
  let total = 0;
  let sawFile = false;
  const fields: Record<string, string> = {};
  let part: { kind: 'file' } | { kind: 'field'; name: string; chunks: Buffer[]; bytes: number } | { kind: 'skip' } | undefined;

  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > options.maxBytes + FRAMING_ALLOWANCE) throw tooLarge(options.maxBytes);
      for (const e of parser.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        if (e.type === 'part') {
          if (e.part.name === 'file') {
            if (sawFile) throw new HttpError(400, 'BadMultipart', 'send exactly one `file` part');
            sawFile = true;
            filename = safeFilename(e.part.filename);
            file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
            part = { kind: 'file' };
          } else if (e.part.filename === null) {
            part = { kind: 'field', name: e.part.name, chunks: [], bytes: 0 };
          } else {
            part = { kind: 'skip' };
          }
        } else if (e.type === 'data') {
          if (part?.kind === 'file' && file) {
            size += e.data.length;
            if (size > options.maxBytes) throw tooLarge(options.maxBytes);
            await write(file, e.data);
          } else if (part?.kind === 'field') {
            part.bytes += e.data.length;
            if (part.bytes > MAX_FIELD_BYTES) throw new HttpError(413, 'PayloadTooLarge', `form field ${part.name} is too large`);
            part.chunks.push(Buffer.from(e.data));
          }
        } else {
          if (part?.kind === 'field') fields[part.name] = Buffer.concat(part.chunks).toString('utf8');
          if (part?.kind === 'file' && file) {
            file.end();
            await once(file, 'close');
          }
          part = undefined;
        }
      }
    }
    parser.finish();
    if (!sawFile) throw new HttpError(400, 'MissingFile', 'the multipart body has no `file` part');
    return { path, filename, size, fields, cleanup };
  } catch (err) {
    file?.destroy();
    await cleanup();
    if (err instanceof MultipartError) throw new HttpError(400, 'BadMultipart', err.message);
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, 'BadBody', 'the upload could not be read completely');
  }
}
