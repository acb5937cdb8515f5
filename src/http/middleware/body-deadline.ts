/**
 * Slow bodies: a request with a body must deliver it at `bodyMinBytesPerSecond` on average once
 * `bodyGraceMs` has passed (measured on the socket's byte count, so nothing is added to the stream).
 * A client that falls behind is answered 408 `BodyTooSlow` and disconnected, which frees its slot.
 * One coarse sweep (unref'd) checks every watched request; no timer per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  startedAt: number;
  startBytes: number;
}

export interface BodyDeadlineOptions {
  graceMs: number;
  minBytesPerSecond: number;
  /** Called when a request is cut off (metrics, log). */
  onTimeout?: (req: IncomingMessage) => void;
}

const BODY = JSON.stringify({ error: { code: 'BodyTooSlow', message: 'the request body arrived too slowly and was cut off' } });

export class BodyDeadlines {
  readonly #live = new Set<Watched>();
  readonly #timer: NodeJS.Timeout;
  readonly #options: BodyDeadlineOptions;

  constructor(options: BodyDeadlineOptions) {
    this.#options = options;
    this.#timer = setInterval(() => this.#sweep(), Math.max(50, Math.min(1000, options.graceMs / 4)));
    this.#timer.unref();
  }

  get watched(): number {
    return this.#live.size;
  }

  /** Watches `req`'s body until it has arrived (or the response closes). */
  watch(req: IncomingMessage, res: ServerResponse): void {
    if (req.complete) return;
    this.#live.add({ req, res, startedAt: performance.now(), startBytes: req.socket.bytesRead });
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#live.clear();
  }

  #sweep(): void {
    const now = performance.now();
    const { graceMs, minBytesPerSecond } = this.#options;
    for (const w of this.#live) {
      const { req, res } = w;
      if (req.complete || res.writableEnded || res.destroyed) {
        this.#live.delete(w);
        continue;
      }
      const late = now - w.startedAt - graceMs;
      if (late <= 0) continue;
      const received = req.socket.bytesRead - w.startBytes;
      if (received >= (minBytesPerSecond * late) / 1000) continue;
      this.#live.delete(w);
      this.#options.onTimeout?.(req);
      cutOff(req, res);
    }
  }
}

function cutOff(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  if (res.headersSent) {
    socket.destroy();
    return;
  }
  res.writeHead(408, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY), connection: 'close', 'x-vtg-error': 'BodyTooSlow' });
  res.end(BODY, () => socket.destroy());
  // a client that does not read its answer either is dropped anyway
  setTimeout(() => socket.destroy(), 5000).unref();
}
