import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;
/**
 * Chunks are read into a small ring of reused buffers instead of a fresh buffer per read: a
 * 600 MB upload would otherwise leave 600 MB of dead buffers to the garbage collector, which lets
 * tens of MB pile up before it runs. Reuse is safe because the stream holds at most one unread
 * chunk (highWaterMark of one byte) and undici asks for more only once the socket took the previous
 * chunk (write() returned true, or after 'drain', when every queued write has completed). So at
 * most two chunks are alive at any time; the ring keeps a wide margin on top of that.
 */
const RING_SIZE = 8;

export interface FileBodyInit {
  path: string;
  /** Bytes of the file to send (its size when the upload was prepared). */
  size: number;
  head: Buffer;
  tail: Buffer;
  onProgress?: (() => void) | undefined;
}

/**
 * `head`, then `size` bytes of the file, then `tail`, one chunk at a time. A chunk's bytes stay
 * valid only until a few more chunks have been read: consumers write them out, never keep them.
 */
export class FileBodyStream extends Readable {
  readonly #init: FileBodyInit;
  readonly #ring: Buffer[] = [];
  #handle: FileHandle | undefined;
  #next = 0;
  #position = 0;
  #stage: 'head' | 'file' | 'tail' | 'end' = 'head';

  constructor(init: FileBodyInit) {
    // 0 would stall async iteration; 1 byte means "read the next chunk only when the last one left"
    super({ highWaterMark: 1 });
    this.#init = init;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.#init.path, 'r').then(
      (handle) => {
        this.#handle = handle;
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _read(): void {
    // an empty push would not ask for more data: empty head/tail are skipped
    if (this.#stage === 'head') {
      this.#stage = this.#init.size > 0 ? 'file' : 'tail';
      if (this.#init.head.length > 0) {
        this.push(this.#init.head);
        return;
      }
    }
    if (this.#stage === 'file') {
      this.#readChunk();
      return;
    }
    if (this.#stage === 'tail') {
      this.#stage = 'end';
      if (this.#init.tail.length > 0) {
        this.push(this.#init.tail);
        return;
      }
    }
    this.push(null);
  }

  #buffer(): Buffer {
    if (this.#ring.length < RING_SIZE) {
      const fresh = Buffer.allocUnsafeSlow(CHUNK_BYTES);
      this.#ring.push(fresh);
      return fresh;
    }
    const reused = this.#ring[this.#next] as Buffer;
    this.#next = (this.#next + 1) % RING_SIZE;
    return reused;
  }

  #readChunk(): void {
    const buffer = this.#buffer();
    const want = Math.min(CHUNK_BYTES, this.#init.size - this.#position);
    (this.#handle as FileHandle).read(buffer, 0, want, this.#position).then(
      ({ bytesRead }) => {
        if (bytesRead === 0) {
          this.destroy(new Error('the file shrank while it was being uploaded'));
          return;
        }
        this.#position += bytesRead;
        if (this.#position >= this.#init.size) this.#stage = 'tail';
        this.#init.onProgress?.();
        this.push(buffer.subarray(0, bytesRead));
      },
      (err: Error) => this.destroy(err),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.#handle;
    this.#handle = undefined;
    if (!handle) {
      callback(error);
      return;
    }
    handle.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}
