import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { MultipartError, MultipartParser } from './multipart.js';

const BOUNDARY = '----vtmockBoundary7MA4YWxkTrZu0gW';

function body(parts: Array<{ name: string; filename?: string; data: Buffer }>): Buffer {
  const chunks: Buffer[] = [Buffer.from('preamble to ignore\r\n')];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(p.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

function parse(input: Buffer, chunkSize: number): Record<string, { filename: string | null; sha256: string; size: number }> {
  const out: Record<string, { filename: string | null; sha256: string; size: number }> = {};
  let current: { name: string; filename: string | null; hash: ReturnType<typeof createHash>; size: number } | null = null;
  const parser = new MultipartParser(BOUNDARY, {
    start: (p) => {
      current = { name: p.name, filename: p.filename, hash: createHash('sha256'), size: 0 };
    },
    data: (c) => {
      current?.hash.update(c);
      if (current) current.size += c.length;
    },
    end: () => {
      if (current) out[current.name] = { filename: current.filename, sha256: current.hash.digest('hex'), size: current.size };
      current = null;
    },
  });
  for (let i = 0; i < input.length; i += chunkSize) parser.write(input.subarray(i, i + chunkSize));
  parser.end();
  return out;
}

test('parts come out intact however the body is split into chunks', () => {
  // Content that contains boundary-like bytes but not the delimiter itself.
  const file = Buffer.concat([Buffer.from(`\r\n--${BOUNDARY.slice(0, 10)}\r\n`), Buffer.alloc(3000, 7), Buffer.from('\r\n-')]);
  const input = body([
    { name: 'password', data: Buffer.from('infected') },
    { name: 'file', filename: 'x.bin', data: file },
  ]);
  const want = createHash('sha256').update(file).digest('hex');
  for (const size of [1, 2, 3, 7, 31, 64, 1000, input.length]) {
    const parts = parse(input, size);
    assert.equal(parts.file?.sha256, want, `chunk size ${size}`);
    assert.equal(parts.file?.size, file.length);
    assert.equal(parts.file?.filename, 'x.bin');
    assert.equal(parts.password?.size, 8);
  }
});

test('an empty file part and a body cut short', () => {
  const parts = parse(body([{ name: 'file', filename: 'empty', data: Buffer.alloc(0) }]), 5);
  assert.equal(parts.file?.size, 0);
  const cut = body([{ name: 'file', data: Buffer.from('abc') }]).subarray(0, 80);
  assert.throws(() => parse(cut, 10), MultipartError);
});

test('a part without Content-Disposition is refused', () => {
  const bad = Buffer.from(`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--\r\n`);
  assert.throws(() => parse(bad, 4), /Content-Disposition/);
});
