/**
 * Sessions parked on disk while a run reads: a per-session record needs the verdicts of its
 * indicators, which are known only once every lookup of the run is done. Each session is written to a
 * temp file as it closes and read back, one at a time, at the end, so memory does not grow with the
 * number of sessions.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineSplitter } from './lines.js';
import type { CowrieSession } from './sessions.js';

const FLUSH_BYTES = 1024 * 1024;

export class SessionSpool {
  readonly #dir: string;
  readonly #path: string;
  #fd: number | undefined;
  #buf: string[] = [];
  #size = 0;
  count = 0;

  constructor() {
    this.#dir = mkdtempSync(join(tmpdir(), 'vtg-cowrie-sessions-'));
    this.#path = join(this.#dir, 'sessions.ndjson');
    this.#fd = openSync(this.#path, 'w', 0o600);
  }

  add(session: CowrieSession): void {
    const line = `${JSON.stringify(session)}\n`;
    this.#buf.push(line);
    this.#size += line.length;
    this.count++;
    if (this.#size >= FLUSH_BYTES) this.#flush();
  }

  #flush(): void {
    if (this.#fd === undefined || this.#buf.length === 0) return;
    writeSync(this.#fd, this.#buf.join(''));
    this.#buf = [];
    this.#size = 0;
  }

  /** The sessions in the order they were added. */
  async *sessions(): AsyncGenerator<CowrieSession> {
    this.#flush();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    const fh = await open(this.#path, 'r');
    try {
      const splitter = new LineSplitter();
      const buf = Buffer.allocUnsafe(256 * 1024);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        for (const line of splitter.push(buf.subarray(0, bytesRead))) yield JSON.parse(line.text) as CowrieSession;
      }
    } finally {
      await fh.close();
    }
  }

  /** Deletes the temp file (also when the run failed). */
  dispose(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
