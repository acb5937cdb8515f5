import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FileBodyStream } from './file-body-stream.js';
import { multipartFromFile } from './multipart.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vt-body-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Hashes the stream the way a socket uses it: each chunk consumed before the next is read. */
async function digest(stream: FileBodyStream): Promise<{ sha256: string; bytes: number; chunks: number; largest: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let chunks = 0;
  let largest = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    hash.update(b);
    bytes += b.length;
    chunks++;
    largest = Math.max(largest, b.length);
  }
  return { sha256: hash.digest('hex'), bytes, chunks, largest };
}

test('streams head, every byte of the file in order, then tail, in chunks of at most 64 KiB', async () => {
  const content = randomBytes(1_000_003);
  const path = join(dir, 'random.bin');
  await writeFile(path, content);
  let progress = 0;
  const head = Buffer.from('HEAD');
  const tail = Buffer.from('TAIL');
  const got = await digest(new FileBodyStream({ path, size: content.length, head, tail, onProgress: () => progress++ }));
  const expected = createHash('sha256').update(Buffer.concat([head, content, tail])).digest('hex');
  assert.equal(got.sha256, expected);
  assert.equal(got.bytes, content.length + 8);
  assert.equal(got.largest, 64 * 1024);
  assert.equal(progress, Math.ceil(content.length / (64 * 1024)));
});

test('an empty file gives head and tail only', async () => {
  const path = join(dir, 'empty.bin');
  await writeFile(path, '');
  const got = await digest(new FileBodyStream({ path, size: 0, head: Buffer.from('h'), tail: Buffer.from('t') }));
  assert.equal(got.bytes, 2);
});

test('a file that shrank since it was measured, or is gone, fails the stream', async () => {
  const path = join(dir, 'short.bin');
  await writeFile(path, randomBytes(1000));
  await assert.rejects(digest(new FileBodyStream({ path, size: 5000, head: Buffer.alloc(0), tail: Buffer.alloc(0) })), /shrank/);
  await assert.rejects(
    digest(new FileBodyStream({ path: join(dir, 'missing.bin'), size: 10, head: Buffer.alloc(0), tail: Buffer.alloc(0) })),
    /ENOENT/,
  );
});

test('the multipart body announces its exact length, and quotes the file name safely', async () => {
  const path = join(dir, 'named.bin');
  await writeFile(path, randomBytes(70_000));
  const body = await multipartFromFile({ path, filename: 'evil"\r\nX-Injected: 1.bin', fields: { password: 'infected' } });
  assert.match(body.contentType, /^multipart\/form-data; boundary=----vtgateway[0-9a-f]{24}$/);
  const chunks: Buffer[] = [];
  for await (const chunk of body.stream()) chunks.push(Buffer.from(chunk as Buffer));
  const all = Buffer.concat(chunks);
  assert.equal(all.length, body.length);
  const text = all.subarray(0, 400).toString('latin1');
  assert.match(text, /name="password"\r\n\r\ninfected\r\n/);
  assert.match(text, /filename="evil%22%0D%0AX-Injected: 1\.bin"\r\nContent-Type: application\/octet-stream\r\n\r\n/);
  assert.ok(all.subarray(-60).toString('latin1').endsWith('--\r\n'));
});
