/** Request bodies read with hard byte limits (checked on Content-Length first, then while streaming). */
import type { Context } from 'hono';
import type { z } from 'zod';
import { HttpError } from '../errors.js';
import { boundaryOf, MultipartError, MultipartParser } from '../../multipart/index.js';
import type { AppEnv } from '../types.js';

function mediaType(c: Context<AppEnv>): string {
  return (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'PayloadTooLarge', `the request body is larger than ${limit} bytes`);
}

/** Checks a declared Content-Length against the limit before anything is read. */
export function checkDeclaredLength(c: Context<AppEnv>, limit: number): void {
  const declared = c.req.header('content-length');
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge(limit);
}

/** The body as bytes, at most `limit` of them (413 beyond). */
export async function readLimited(c: Context<AppEnv>, limit: number): Promise<Buffer> {
  checkDeclaredLength(c, limit);
  const body = c.req.raw.body;
  if (!body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = body.getReader();
  // a client dribbling its body past the request's time limit is cut off
  const signal = c.get('request')?.signal;
  const onAbort = () => {
    reader.cancel().catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(limit);
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (signal?.aborted) throw signal.reason;
    throw new HttpError(400, 'BadBody', 'the request body could not be read completely');
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) throw signal.reason;
  return Buffer.concat(chunks, total);
}

export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new HttpError(400, 'BadRequest', `invalid ${what}${where}: ${issue?.message ?? 'invalid'}`);
}

function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new HttpError(400, 'InvalidJson', 'the request body is not valid JSON');
  }
}

export async function readJson<T>(c: Context<AppEnv>, schema: z.ZodType<T>, limit: number): Promise<T> {
  const type = mediaType(c);
  // a missing or form Content-Type is what a cross-site HTML form or a no-cors fetch sends: refused
  if (type !== 'application/json') throw new HttpError(415, 'UnsupportedMediaType', 'send the body as application/json');
  return validate(schema, parseJson(await readLimited(c, limit)), 'body');
}

/** Small multipart bodies: text fields only (file parts are refused). */
async function readMultipartFields(c: Context<AppEnv>, limit: number): Promise<Record<string, string>> {
  let parser: MultipartParser;
  try {
    parser = new MultipartParser(boundaryOf(c.req.header('content-type')));
  } catch (err) {
    throw new HttpError(400, 'BadMultipart', (err as Error).message);
  }
  const buf = await readLimited(c, limit);
  const fields: Record<string, string> = {};
  let current: { name: string; chunks: Buffer[] } | undefined;
  try {
    for (const e of parser.push(buf)) {
      if (e.type === 'part') current = { name: e.part.name, chunks: [] };
      else if (e.type === 'data') current?.chunks.push(e.data);
      else if (current) {
        fields[current.name] = Buffer.concat(current.chunks).toString('utf8');
        current = undefined;
      }
    }
    parser.finish();
  } catch (err) {
    if (err instanceof MultipartError) throw new HttpError(400, 'BadMultipart', err.message);
    throw err;
  }
  return fields;
}

/** A form in any of the encodings VirusTotal clients use (/api/v3 only): urlencoded (vt-py), multipart (vt-go) or JSON. */
export async function readForm<T>(c: Context<AppEnv>, schema: z.ZodType<T>, limit: number): Promise<T> {
  const type = mediaType(c);
  let value: unknown;
  if (type === 'application/x-www-form-urlencoded') {
    value = Object.fromEntries(new URLSearchParams((await readLimited(c, limit)).toString('utf8')));
  } else if (type === 'multipart/form-data') {
    value = await readMultipartFields(c, limit);
  } else if (type === 'application/json' || type === '') {
    value = parseJson(await readLimited(c, limit));
  } else {
    throw new HttpError(415, 'UnsupportedMediaType', 'send a form (urlencoded or multipart) or JSON');
  }
  return validate(schema, value, 'form');
}

/** A batch body: JSON (`{indicators: [...]}`) or text/plain with one indicator per line. */
export async function readBatch<T>(
  c: Context<AppEnv>,
  schema: z.ZodType<T>,
  limits: { json: number; text: number },
): Promise<T> {
  const type = mediaType(c);
  if (type === 'text/plain') {
    const text = (await readLimited(c, limits.text)).toString('utf8');
    const indicators = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    return validate(schema, { indicators }, 'batch');
  }
  if (type === 'application/json') return validate(schema, parseJson(await readLimited(c, limits.json)), 'body');
  throw new HttpError(415, 'UnsupportedMediaType', 'send the batch as application/json or text/plain');
}
