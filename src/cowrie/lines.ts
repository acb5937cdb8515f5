/**
 * Splits a byte stream into lines with exact byte offsets.
 *
 * node:readline cannot say where a line starts in bytes nor whether the last line ended with a
 * newline; the incremental state needs both (resume at the end of the last complete line, re-read a
 * half-written tail later). This splitter works on Buffers, keeps only the unfinished line between
 * chunks, and drops (but reports) lines longer than a cap, so memory stays flat for any input.
 */

import { isAscii } from 'node:buffer';

export interface RawLine {
  /** The line without its `\n` (and without a `\r` before it). Empty for an over-long line. */
  text: string;
  /** Byte offset of the first byte of the line. */
  start: number;
  /** Byte offset just past the line's newline (or past its last byte for an unterminated tail). */
  end: number;
  /** False only for a final line that had no newline. */
  complete: boolean;
  /** The line was longer than the cap; its bytes were skipped. */
  tooLong: boolean;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * The method Buffer#toString('latin1', ...) ends in, called directly: toString's checks of its
 * arguments cost more than the copy of a short line. Node has had it from its first versions; where it
 * is missing, toString does the same.
 */
const SLICE = Buffer.prototype as unknown as { latin1Slice?: (this: Buffer, start: number, end: number) => string };

/**
 * Decoding is most of the cost of splitting: Buffer#toString('utf8') per line is about ten times
 * slower than a latin1 slice, and for ASCII bytes (nearly every Cowrie line: JSON escapes non-ASCII
 * only when ensure_ascii is on, and attackers rarely type it) both give the same string. So a chunk
 * that is all ASCII (one fast native check) is decoded as latin1, any other as UTF-8.
 */
function decoder(buf: Buffer): (start: number, end: number) => string {
  const latin1 = SLICE.latin1Slice;
  if (isAscii(buf)) return latin1 ? (start, end) => latin1.call(buf, start, end) : (start, end) => buf.toString('latin1', start, end);
  return (start, end) => buf.toString('utf8', start, end);
}


export class LineSplitter {
  #carry: Buffer | null = null;
  #carryStart: number;
  /** Bytes of an over-long line being skipped (-1 when not skipping). */
  #skipping = -1;
  #skipStart = 0;
  readonly #maxLineBytes: number;

  constructor(startOffset = 0, maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.#carryStart = startOffset;
    this.#maxLineBytes = maxLineBytes;
  }

  /** Lines completed by this chunk. The chunk may be reused by the caller afterwards. */
  push(chunk: Buffer): RawLine[] {
    const out: RawLine[] = [];
    let pos = 0;
    let base = this.#carryStart; // offset of chunk[0]
    if (this.#skipping >= 0) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.#skipping += chunk.length;
        this.#carryStart = base + chunk.length;
        return out;
      }
      out.push({ text: '', start: this.#skipStart, end: base + nl + 1, complete: true, tooLong: true });
      this.#skipping = -1;
      pos = nl + 1;
    } else if (this.#carry) {
      // Only the unfinished line is joined with the chunk's first line: the chunk is never copied whole.
      const carry = this.#carry;
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.#carry = Buffer.concat([carry, chunk]);
        if (this.#carry.length > this.#maxLineBytes) {
          this.#skipping = this.#carry.length;
          this.#skipStart = base;
          this.#carryStart = base + this.#carry.length;
          this.#carry = null;
        }
        return out;
      }
      this.#carry = null;
      const head = Buffer.concat([carry, chunk.subarray(0, nl + 1)]);
      this.#scan(head, 0, base, out);
      base += carry.length;
      pos = nl + 1;
    }
    pos = this.#scan(chunk, pos, base, out);
    const rest = chunk.length - pos;
    if (rest > this.#maxLineBytes) {
      this.#skipping = rest;
      this.#skipStart = base + pos;
      this.#carryStart = base + chunk.length;
      return out;
    }
    this.#carryStart = base + pos;
    // Copy: the caller may reuse the chunk's memory for the next read.
    this.#carry = rest > 0 ? Buffer.from(chunk.subarray(pos)) : null;
    return out;
  }

  /** Every complete line of `buf` from `pos` (`base` is the offset of buf[0]); returns where the unfinished rest starts. */
  #scan(buf: Buffer, pos: number, base: number, out: RawLine[]): number {
    const decode = decoder(buf);
    for (;;) {
      const nl = buf.indexOf(10, pos);
      if (nl === -1) return pos;
      const stop = nl > pos && buf[nl - 1] === 13 ? nl - 1 : nl;
      if (stop - pos > this.#maxLineBytes) {
        out.push({ text: '', start: base + pos, end: base + nl + 1, complete: true, tooLong: true });
      } else {
        out.push({ text: decode(pos, stop), start: base + pos, end: base + nl + 1, complete: true, tooLong: false });
      }
      pos = nl + 1;
    }
  }

  /** The unterminated tail at end of input, if any. */
  end(): RawLine | undefined {
    if (this.#skipping >= 0) {
      this.#skipping = -1;
      return { text: '', start: this.#skipStart, end: this.#carryStart, complete: false, tooLong: true };
    }
    if (!this.#carry || this.#carry.length === 0) return undefined;
    const buf = this.#carry;
    this.#carry = null;
    const start = this.#carryStart;
    this.#carryStart += buf.length;
    return { text: buf.toString('utf8'), start, end: start + buf.length, complete: false, tooLong: false };
  }

  /** Bytes held for the unfinished line. */
  get pendingBytes(): number {
    return this.#carry?.length ?? 0;
  }
}
