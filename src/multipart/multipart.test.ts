import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { boundaryOf, MultipartError, MultipartParser } from './index.js';

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
  const parser = new MultipartParser(BOUNDARY);
  for (let i = 0; i < input.length; i += chunkSize) {
    for (const e of parser.push(input.subarray(i, i + chunkSize))) {
      if (e.type === 'part') current = { name: e.part.name, filename: e.part.filename, hash: createHash('sha256'), size: 0 };
      else if (e.type === 'data') {
        current?.hash.update(e.data);
        if (current) current.size += e.data.length;
      } else {
        if (current) out[current.name] = { filename: current.filename, sha256: current.hash.digest('hex'), size: current.size };
        current = null;
      }
    }
  }
  parser.finish();
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

test('hostile bodies are bounded: too many parts, endless part headers, no boundary at all', () => {
  const many = body(Array.from({ length: 21 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') })));
  assert.throws(() => parse(many, 100), /too many multipart parts/);
  const endless = Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nX-Pad: `), Buffer.alloc(9000, 0x61)]);
  assert.throws(() => parse(endless, 512), /headers are too long/);
  assert.throws(() => parse(Buffer.alloc(70 * 1024, 0x62), 4096), /no multipart boundary/);
});

test('boundaryOf reads quoted and bare boundaries and refuses other types', () => {
  assert.equal(boundaryOf('multipart/form-data; boundary=abc'), 'abc');
  assert.equal(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b"'), 'a b');
  assert.throws(() => boundaryOf('application/json'), MultipartError);
  assert.throws(() => boundaryOf('multipart/form-data'), MultipartError);
});
