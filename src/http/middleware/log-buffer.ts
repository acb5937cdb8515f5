/**
 * Log text held briefly and written in few large writes, like nginx's `access_log ... buffer= flush=`:
 * a write to the log stream cost as much as a few cache hits, and a busy server answers only one or
 * two requests per event-loop turn. The text goes out when it reaches `maxChars`, `flushMs` after the
 * first line that found the buffer empty (an unref'd timer: it never keeps the process alive), and at
 * once on `flush()` (before any other log line, so the stream keeps its order; on close; on exit).
 * `flushMs` 0 writes once per event-loop turn.
 */
export interface LogBufferOptions {
  /** Longest a line waits (ms); 0: until the end of the event-loop turn. */
  flushMs: number;
  /** Held text (characters) that is written at once. */
  maxChars?: number;
}

export const DEFAULT_LOG_FLUSH_MS = 100;
export const DEFAULT_LOG_BUFFER_CHARS = 64 * 1024;

export class LogBuffer {
  private pending = '';
  /** Every held line is ASCII: the batch goes as latin1 (the same bytes; the stream copies it as is instead of measuring it for UTF-8). */
  private pendingAscii = true;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private readonly flushMs: number;
  private readonly maxChars: number;
  private readonly onTimer = () => {
    this.timer = undefined;
    this.immediate = undefined;
    this.flush();
  };

  constructor(
    private readonly stream: NodeJS.WritableStream,
    options: LogBufferOptions,
  ) {
    this.flushMs = options.flushMs;
    this.maxChars = options.maxChars ?? DEFAULT_LOG_BUFFER_CHARS;
  }

  /** Holds `text` (whole lines); `ascii` says it holds only ASCII. */
  write(text: string, ascii: boolean): void {
    this.pending += text;
    if (!ascii) this.pendingAscii = false;
    if (this.pending.length >= this.maxChars) this.flush();
    else if (this.timer === undefined && this.immediate === undefined) {
      if (this.flushMs > 0) {
        this.timer = setTimeout(this.onTimer, this.flushMs);
        this.timer.unref();
      } else {
        this.immediate = setImmediate(this.onTimer);
      }
    }
  }

  /** Writes everything held, now. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.immediate !== undefined) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    const out = this.pending;
    if (out === '') return;
    const encoding = this.pendingAscii ? 'latin1' : 'utf8';
    this.pending = '';
    this.pendingAscii = true;
    this.stream.write(out, encoding);
  }

  /**
   * A stream for other writers of the same log (pino): what is held goes first, so the lines keep
   * the order they were made in.
   */
  inOrder(): { write(text: string): boolean } {
    return {
      write: (text: string) => {
        this.flush();
        return this.stream.write(text);
      },
    };
  }
}
