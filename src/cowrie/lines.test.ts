import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter, type RawLine } from './lines.js';

function split(input: Buffer, chunkSizes: number[], start = 0, max?: number): RawLine[] {
  const s = new LineSplitter(start, max);
  const out: RawLine[] = [];
  let pos = 0;
  for (let i = 0; pos < input.length; i++) {
    const size = chunkSizes[i % chunkSizes.length] ?? 1;
    out.push(...s.push(input.subarray(pos, pos + size)));
    pos += size;
  }
  const tail = s.end();
  if (tail) out.push(tail);
  return out;
}

test('byte offsets and text are exact for any chunking, with CRLF and multi-byte characters', () => {
  const input = Buffer.from('{"a":"é"}\r\n\n{"b":"日本"}\nlast-no-newline');
  const expected = split(input, [input.length]);
  assert.deepEqual(
    expected.map((l) => [l.text, l.start, l.end, l.complete]),
    [
      ['{"a":"é"}', 0, 12, true],
      ['', 12, 13, true],
      ['{"b":"日本"}', 13, 28, true],
      ['last-no-newline', 28, 43, false],
    ],
  );
  for (const sizes of [[1], [2, 3], [7], [5, 1, 9]]) assert.deepEqual(split(input, sizes), expected, String(sizes));
  // Offsets are relative to where reading started.
  assert.equal(split(Buffer.from('x\n'), [1], 1000)[0]?.end, 1002);
});

test('a line longer than the cap is reported once with its span, and the next line is intact', () => {
  const input = Buffer.from(`short\n${'x'.repeat(100)}\nafter\n`);
  for (const sizes of [[3], [64], [200]]) {
    const lines = split(input, sizes, 0, 16);
    assert.deepEqual(
      lines.map((l) => [l.tooLong, l.text, l.start, l.end]),
      [
        [false, 'short', 0, 6],
        [true, '', 6, 107],
        [false, 'after', 107, 113],
      ],
      String(sizes),
    );
  }
});

test('any chunking gives the same lines and offsets as splitting the whole input (with CRLF, UTF-8 across chunks and over-long lines)', () => {
  const parts = ['{"a":1}', '', '{"input":"ls -la ü€ 𝄞"}\r', 'x'.repeat(300), '{"b":"two"}', 'y'.repeat(90)];
  const text = `${Array.from({ length: 40 }, (_, i) => parts[i % parts.length]).join('\n')}\ntail-without-newline`;
  const bytes = Buffer.from(text);
  const max = 200;
  // Reference: whole-input split.
  const expected: Array<[string, number, number, boolean]> = [];
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(10, start);
    if (nl === -1) break;
    const stop = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl;
    const tooLong = stop - start > max;
    expected.push([tooLong ? '' : bytes.toString('utf8', start, stop), start, nl + 1, tooLong]);
    start = nl + 1;
  }
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 1 + (seed % n);
  };
  for (const maxChunk of [1, 3, 17, 64, 257, 100_000]) {
    const splitter = new LineSplitter(0, max);
    const got: Array<[string, number, number, boolean]> = [];
    for (let i = 0; i < bytes.length; ) {
      const n = Math.min(rand(maxChunk), bytes.length - i);
      // A reused buffer, as the reader does.
      const chunk = Buffer.alloc(n);
      bytes.copy(chunk, 0, i, i + n);
      for (const l of splitter.push(chunk)) got.push([l.text, l.start, l.end, l.tooLong]);
      chunk.fill(0);
      i += n;
    }
    assert.deepEqual(got, expected, `chunks up to ${maxChunk}`);
    assert.equal(splitter.end()?.text, 'tail-without-newline');
  }
});
