/**
 * Tails the live Cowrie log across rotations. Cowrie rotates by renaming `cowrie.json` to
 * `cowrie.json.YYYY-MM-DD` and opening a new `cowrie.json`: the renamed file is read to its end
 * through the handle already open, then the new file is followed from its start. A file truncated
 * in place (logrotate's `copytruncate`) is read again from the start: it is noticed when the file is
 * shorter than what was read, or when its first bytes changed (it was truncated and grew back). Ends (without error) when the signal aborts.
 */
import { type FileHandle, open, stat } from 'node:fs/promises';
import { type Clock, systemClock } from '../clock/index.js';
import type { CowrieEvent } from './events.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, type RawLine } from './lines.js';
import { type CowrieFileStats, type CowrieReadStats, createReadStats, lineEvent, newFileStats } from './reader.js';
import { type CowrieFileState, type CowrieState, HEAD_BYTES, headHash } from './state.js';

export interface FollowOptions {
  signal: AbortSignal;
  /** How often to look for new lines and rotations (default 1000 ms of the clock). */
  pollMs?: number;
  state?: CowrieState;
  clock?: Clock;
  /** Without a saved position, start at the end of the current file instead of its start. */
  startAtEnd?: boolean;
  /** Filled as reading goes. */
  stats?: CowrieReadStats;
  /** Called when the followed file was truncated in place (copytruncate) and is read again from 0. */
  onTruncate?: (info: { path: string }) => void;
  /** Called when the followed file was rotated away and a new one is being followed. */
  onRotate?: (info: { previous: CowrieFileStats; path: string }) => void;
  maxLineBytes?: number;
}

interface Followed {
  fh: FileHandle;
  dev: number;
  ino: number;
  /** End of the last complete line consumed. */
  offset: number;
  /** Where the next read starts (past any unfinished line held by the splitter). */
  readPos: number;
  lineNo: number;
  splitter: LineSplitter;
  fileStats: CowrieFileStats;
  entry: CowrieFileState | undefined;
  /** Hash of the first bytes read (up to HEAD_BYTES): a different head means the file was truncated and rewritten. */
  head: { hash: string; length: number };
  truncations: number;
}

const CHUNK_BYTES = 256 * 1024;

export async function* followCowrieLog(path: string, options: FollowOptions): AsyncGenerator<CowrieEvent> {
  const { signal } = options;
  const clock = options.clock ?? systemClock;
  const pollMs = options.pollMs ?? 1000;
  const stats = options.stats ?? createReadStats();
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let current: Followed | undefined;
  let first = true;

  const openFile = async (fromEnd: boolean): Promise<Followed | undefined> => {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch {
      return undefined; // between the rename and the new file: try again next poll
    }
    const st = await fh.stat();
    const id = { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    let resume = options.state ? await options.state.resumePoint(fh, id) : { offset: 0, lines: 0 };
    if (resume.offset === 0 && fromEnd) resume = { offset: st.size, lines: 0 };
    const fileStats = newFileStats(path, false);
    fileStats.startOffset = resume.offset;
    stats.files.push(fileStats);
    let entry: CowrieFileState | undefined;
    const head = await headHash(fh, Math.min(HEAD_BYTES, st.size));
    if (options.state) {
      entry = {
        path,
        ...id,
        headHash: head.hash,
        headLen: head.length,
        offset: resume.offset,
        lines: resume.lines,
        gzip: false,
        done: false,
        updatedAt: clock.now(),
      };
      options.state.set(entry);
    }
    return {
      fh,
      dev: st.dev,
      ino: st.ino,
      offset: resume.offset,
      readPos: resume.offset,
      lineNo: resume.lines,
      splitter: new LineSplitter(resume.offset, maxLine),
      fileStats,
      entry,
      head,
      truncations: 0,
    };
  };

  /** Reads what is new in the followed file; the lines come back to be yielded one by one. */
  async function* drain(f: Followed, final: boolean): AsyncGenerator<CowrieEvent> {
    const st = await f.fh.stat();
    // Truncated in place (logrotate's copytruncate): the file is shorter than what was read, or, when
    // it has already grown past that again, its first bytes are not the ones read. Start over from 0.
    let truncated = st.size < f.readPos;
    if (!truncated && f.readPos > 0 && f.head.length > 0) {
      const now = await headHash(f.fh, f.head.length);
      truncated = now.length !== f.head.length || now.hash !== f.head.hash;
    }
    if (truncated) {
      f.offset = 0;
      f.readPos = 0;
      f.lineNo = 0;
      f.splitter = new LineSplitter(0, maxLine);
      f.head = await headHash(f.fh, Math.min(HEAD_BYTES, st.size));
      f.truncations++;
      options.onTruncate?.({ path });
      if (f.entry) {
        f.entry.offset = 0;
        f.entry.lines = 0;
        f.entry.headHash = f.head.hash;
        f.entry.headLen = f.head.length;
      }
    }
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const commit = (line: RawLine) => {
      f.offset = line.end;
      if (f.entry) {
        f.entry.offset = line.end;
        f.entry.lines = f.lineNo;
        f.entry.size = Math.max(f.entry.size, line.end);
        f.entry.updatedAt = clock.now();
      }
    };
    while (f.readPos < st.size && !signal.aborted) {
      const { bytesRead } = await f.fh.read(buf, 0, Math.min(CHUNK_BYTES, st.size - f.readPos), f.readPos);
      if (bytesRead === 0) break;
      f.readPos += bytesRead;
      f.fileStats.bytesRead += bytesRead;
      stats.bytesRead += bytesRead;
      for (const line of f.splitter.push(buf.subarray(0, bytesRead))) {
        f.lineNo++;
        f.fileStats.lines++;
        stats.lines++;
        const event = lineEvent(line, f.lineNo, f.fileStats, stats, {});
        // Consumed once handed over: the caller decides when to save() the state.
        commit(line);
        if (event !== undefined && event !== 'pending') yield event;
      }
    }
    if (final) {
      const tail = f.splitter.end();
      if (tail) {
        f.lineNo++;
        f.fileStats.lines++;
        stats.lines++;
        const event = lineEvent(tail, f.lineNo, f.fileStats, stats, {});
        if (event !== 'pending') commit(tail);
        if (event !== undefined && event !== 'pending') yield event;
      }
    }
    // The file was shorter than the head when opened: remember the full head from now on.
    if (f.head.length < HEAD_BYTES && f.offset >= HEAD_BYTES) {
      f.head = await headHash(f.fh, HEAD_BYTES);
      if (f.entry) {
        f.entry.headHash = f.head.hash;
        f.entry.headLen = f.head.length;
      }
    }
  }

  try {
    while (!signal.aborted) {
      if (!current) {
        current = await openFile(first && (options.startAtEnd ?? false));
        first = false;
      }
      if (current) {
        yield* drain(current, false);
        const now = await stat(path).catch(() => undefined);
        if (now && (now.ino !== current.ino || now.dev !== current.dev)) {
          // Rotated: finish the old file through its open handle, then follow the new one.
          yield* drain(current, true);
          const previous = current.fileStats;
          await current.fh.close();
          current = undefined;
          options.onRotate?.({ previous, path });
          continue;
        }
      }
      try {
        await clock.sleep(pollMs, signal);
      } catch {
        break;
      }
    }
  } finally {
    await current?.fh.close();
  }
}
