// Access-log lines held across event-loop turns: written when the interval ends, when the buffer is
// full, before any other log line, and as the bytes they were made of (non-ASCII too).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mock, test } from 'node:test';
import { LogBuffer } from './log-buffer.js';

/** A stream that keeps each write as it came (bytes), to count writes and decode them as a file would. */
function writes(): { stream: Writable; chunks: Buffer[]; text(): string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { stream, chunks, text: () => Buffer.concat(chunks).toString('utf8') };
}

const turn = () => new Promise((r) => setImmediate(r));

test('lines are held across event-loop turns and written together when the interval ends', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const out = writes();
  const held = new LogBuffer(out.stream, { flushMs: 100 });
  held.write('a\n', true);
  await turn();
  held.write('b\n', true);
  await turn();
  mock.timers.tick(99);
  assert.equal(out.chunks.length, 0, 'held until the interval since the first line ends');
  mock.timers.tick(1);
  assert.deepEqual(out.chunks.map(String), ['a\nb\n'], 'one write for both');
  held.write('c\n', true);
  mock.timers.tick(100);
  assert.equal(out.text(), 'a\nb\nc\n', 'the next line starts a new interval');
  mock.timers.tick(1000);
  assert.equal(out.chunks.length, 2, 'nothing held, nothing written');
});

test('a full buffer is written at once; flush() writes what is held', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const out = writes();
  const held = new LogBuffer(out.stream, { flushMs: 100, maxChars: 100 });
  const line = `${'x'.repeat(39)}\n`;
  held.write(line, true);
  held.write(line, true);
  assert.equal(out.chunks.length, 0);
  held.write(line, true);
  assert.equal(out.text(), line.repeat(3), 'written when 100 characters were held');
  held.write(line, true);
  held.flush();
  assert.equal(out.text(), line.repeat(4));
  mock.timers.tick(1000);
  assert.equal(out.chunks.length, 2, 'the interval of a flushed line writes nothing more');
});

test('flushMs 0 writes the lines of one event-loop turn in one write', async () => {
  const out = writes();
  const held = new LogBuffer(out.stream, { flushMs: 0 });
  held.write('a\n', true);
  held.write('b\n', true);
  assert.equal(out.chunks.length, 0);
  await turn();
  assert.deepEqual(out.chunks.map(String), ['a\nb\n']);
});

test('other log lines (inOrder) go after what is held: the stream keeps the order lines were made in', () => {
  const out = writes();
  const held = new LogBuffer(out.stream, { flushMs: 60_000 });
  held.write('request 1\n', true);
  held.write('request 2\n', true);
  held.inOrder().write('stopped\n');
  assert.equal(out.text(), 'request 1\nrequest 2\nstopped\n');
});

test('a batch with a non-ASCII line reads back as written (UTF-8), an ASCII batch as the same bytes', () => {
  const out = writes();
  const held = new LogBuffer(out.stream, { flushMs: 60_000 });
  const lines = ['{"path":"/api/health"}\n', '{"client":"café ü € 漢字 😀"}\n', '{"path":"/x"}\n'];
  held.write(lines[0] as string, true);
  held.write(lines[1] as string, false);
  held.write(lines[2] as string, true);
  held.flush();
  assert.equal(out.text(), lines.join(''));
  held.write(lines[0] as string, true);
  held.flush();
  assert.equal(out.chunks[1]?.toString('utf8'), lines[0], 'an ASCII batch after a UTF-8 one');
  assert.deepEqual(
    out.text().split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    [...lines, lines[0]].map((l) => JSON.parse(l as string)),
  );
});
