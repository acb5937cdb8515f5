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
