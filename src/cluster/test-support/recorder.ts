/**
 * A recording proxy in front of the simulator: which indicator paths reached "VirusTotal", and
 * which of those got no answer through to the gateway (its instance died mid-call). The
 * simulator's own stats count by endpoint only; drills need per-indicator counts.
 */
import { createServer, request, type Server } from 'node:http';

export interface Recorded {
  path: string;
  /** When it arrived (epoch ms). */
  at: number;
  /** The answer reached the gateway. */
  answered: boolean;
}

export class UpstreamRecorder {
  readonly calls: Recorded[] = [];
  #server: Server | undefined;
  url = '';

  static async start(target: string): Promise<UpstreamRecorder> {
    const rec = new UpstreamRecorder();
    const to = new URL(target);
    rec.#server = createServer((req, res) => {
      const entry: Recorded = { path: req.url ?? '', at: Date.now(), answered: false };
      rec.calls.push(entry);
      const up = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        res.on('finish', () => {
          entry.answered = true;
        });
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => rec.#server?.listen(0, '127.0.0.1', () => r()));
    const addr = rec.#server.address();
    rec.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    return rec;
  }

  /** Calls per path matching `re` (e.g. /\/domains\//). */
  countBy(re: RegExp): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.calls) if (re.test(c.path)) out.set(c.path, (out.get(c.path) ?? 0) + 1);
    return out;
  }

  /** The most calls matching `re` inside any `spanMs` span. */
  peak(re: RegExp, spanMs = 60_000): number {
    const times = this.calls.filter((c) => re.test(c.path)).map((c) => c.at);
    let best = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] as number) - (times[j] as number) >= spanMs) j++;
      best = Math.max(best, i - j + 1);
    }
    return best;
  }

  close(): Promise<void> {
    this.#server?.closeAllConnections();
    return new Promise((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }
}
