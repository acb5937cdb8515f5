/**
 * Streaming reader of Cowrie JSON logs: plain or gzip (by magic bytes), any size with flat memory,
 * rotated sets in time order. Malformed, truncated and over-long lines are counted and sampled,
 * never fatal; a file that cannot be read is reported and skipped. With a CowrieState it reads only
 * what is new since the last run (call `state.save()` once the events are committed).
 */
import { createReadStream, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import type { CowrieEvent } from './events.js';
import { isGzipFile, resolveLogFiles } from './files.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, type RawLine } from './lines.js';
import { type CowrieFileStats, type CowrieReadStats, createReadStats, lineEvent, newFileStats, type ReadProgress } from './read-stats.js';
import { type CowrieFileState, type CowrieState, HEAD_BYTES, headHash } from './state.js';

export {
  type BadLineReason,
  type BadLineSample,
  type CowrieFileStats,
  type CowrieReadStats,
  createReadStats,
  lineEvent,
  type LineOptions,
  newFileStats,
  parseEventLine,
  type ReadProgress,
} from './read-stats.js';

export interface ReadCowrieOptions {
  state?: CowrieState;
  signal?: AbortSignal;
  onProgress?: (p: ReadProgress) => void;
  /** Filled as reading goes (also the generator's return value). */
  stats?: CowrieReadStats;
  maxLineBytes?: number;
  /** How many bad lines to keep as samples (default 20). */
  maxBadLineSamples?: number;
  /** 'report': parse in full only the events the report reads (see read-stats.ts); default 'all'. */
  fields?: 'all' | 'report';
}

function fileError(stats: CowrieReadStats, fileStats: CowrieFileStats, err: unknown): void {
  fileStats.error = (err as Error)?.message ?? String(err);
  stats.fileErrors++;
}

const CHUNK_BYTES = 256 * 1024;
/** How much is read between two turns of the event loop. */
const YIELD_BYTES = 4 * 1024 * 1024;

/** Reads every event of the given files, directories or globs, in time order. */
export async function* readCowrieLogs(
  paths: readonly string[],
  options: ReadCowrieOptions = {},
): AsyncGenerator<CowrieEvent, CowrieReadStats> {
  const batches = readCowrieBatches(paths, options);
  for (;;) {
    const next = await batches.next();
    if (next.done) return next.value;
    yield* next.value;
  }
}

/**
 * The same events in batches (one per chunk read), for consumers that handle events synchronously:
 * one await per chunk instead of one per event. A batch's lines count as consumed (for the state)
 * once the consumer asks for the next batch.
 */
export async function* readCowrieBatches(
  paths: readonly string[],
  options: ReadCowrieOptions = {},
): AsyncGenerator<CowrieEvent[], CowrieReadStats> {
  const stats = options.stats ?? createReadStats();
  const files = await resolveLogFiles(paths);
  for (const file of files) {
    options.signal?.throwIfAborted();
    const fileStats = newFileStats(file, false);
    stats.files.push(fileStats);
    let gzip: boolean;
    try {
      gzip = await isGzipFile(file);
    } catch (err) {
      fileError(stats, fileStats, err);
      continue;
    }
    fileStats.gzip = gzip;
    yield* gzip ? readGzip(file, fileStats, stats, options) : readPlain(file, fileStats, stats, options);
  }
  return stats;
}

async function* readPlain(
  file: string,
  fileStats: CowrieFileStats,
  stats: CowrieReadStats,
  options: ReadCowrieOptions,
): AsyncGenerator<CowrieEvent[]> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    fileError(stats, fileStats, err);
    return;
  }
  try {
    const st = await fh.stat();
    const size = st.size;
    fileStats.bytesTotal = size;
    const id = { dev: st.dev, ino: st.ino, size, mtimeMs: st.mtimeMs };
    const resume = options.state ? await options.state.resumePoint(fh, id) : { offset: 0, lines: 0 };
    fileStats.startOffset = resume.offset;
    let entry: CowrieFileState | undefined;
    if (options.state) {
      const head = await headHash(fh, Math.min(HEAD_BYTES, size));
      entry = {
        path: file,
        dev: st.dev,
        ino: st.ino,
        size,
        mtimeMs: st.mtimeMs,
        headHash: head.hash,
        headLen: head.length,
        offset: resume.offset,
        lines: resume.lines,
        gzip: false,
        done: false,
        updatedAt: Date.now(),
      };
      options.state.set(entry);
    }
    if (resume.offset >= size) {
      fileStats.unchanged = true;
      return;
    }
    const splitter = new LineSplitter(resume.offset, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = resume.offset;
    let lineNo = resume.lines;
    let sinceYield = 0;
    while (position < size) {
      options.signal?.throwIfAborted();
      // Read in this thread: from the page cache a chunk takes tens of microseconds, and a read through
      // the thread pool leaves this thread waiting whenever a busy machine is slow to run that pool.
      const bytesRead = readSync(fh.fd, buf, 0, Math.min(CHUNK_BYTES, size - position), position);
      if (bytesRead === 0) break; // the file shrank under us
      // Timers, signals (Ctrl-C) and other I/O still get their turn.
      sinceYield += bytesRead;
      if (sinceYield >= YIELD_BYTES) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
      position += bytesRead;
      fileStats.bytesRead += bytesRead;
      stats.bytesRead += bytesRead;
      const lines = splitter.push(buf.subarray(0, bytesRead));
      const batch: CowrieEvent[] = [];
      let last: RawLine | undefined;
      for (const line of lines) {
        lineNo++;
        fileStats.lines++;
        stats.lines++;
        const event = lineEvent(line, lineNo, fileStats, stats, options);
        last = line;
        if (event !== undefined && event !== 'pending') batch.push(event);
      }
      options.onProgress?.({ file, bytesRead: position, bytesTotal: size, lines: fileStats.lines, badLines: fileStats.badLines });
      if (batch.length > 0) yield batch;
      // Consumed once handed over: the caller decides when to save() the state.
      if (entry && last) {
        entry.offset = last.end;
        entry.lines = lineNo;
      }
    }
    const tail = splitter.end();
    if (tail) {
      lineNo++;
      fileStats.lines++;
      stats.lines++;
      const event = lineEvent(tail, lineNo, fileStats, stats, options);
      if (event !== 'pending') {
        if (event !== undefined) yield [event];
        if (entry) {
          entry.offset = tail.end;
          entry.lines = lineNo;
        }
      }
    }
  } catch (err) {
    if (options.signal?.aborted) throw err;
    fileError(stats, fileStats, err);
  } finally {
    await fh.close();
  }
}

async function* readGzip(
  file: string,
  fileStats: CowrieFileStats,
  stats: CowrieReadStats,
  options: ReadCowrieOptions,
): AsyncGenerator<CowrieEvent[]> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    fileError(stats, fileStats, err);
    return;
  }
  const st = await fh.stat().finally(() => fh.close());
  const id = { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  fileStats.bytesTotal = st.size;
  if (options.state?.gzipDone(id)) {
    fileStats.unchanged = true;
    return;
  }
  const source = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  const splitter = new LineSplitter(0, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  let lineNo = 0;
  let complete = false;
  let counted = 0;
  try {
    for await (const chunk of gunzip) {
      options.signal?.throwIfAborted();
      const read = source.bytesRead - counted;
      counted = source.bytesRead;
      fileStats.bytesRead += read;
      stats.bytesRead += read;
      const batch: CowrieEvent[] = [];
      for (const line of splitter.push(chunk as Buffer)) {
        lineNo++;
        fileStats.lines++;
        stats.lines++;
        const event = lineEvent(line, lineNo, fileStats, stats, options);
        if (event !== undefined && event !== 'pending') batch.push(event);
      }
      options.onProgress?.({ file, bytesRead: counted, bytesTotal: st.size, lines: fileStats.lines, badLines: fileStats.badLines });
      if (batch.length > 0) yield batch;
    }
    complete = true;
  } catch (err) {
    if (options.signal?.aborted) throw err;
    fileError(stats, fileStats, err);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  // A gzip file cut short still gives what it holds; its broken last line counts as truncated.
  const tail = splitter.end();
  if (tail) {
    lineNo++;
    fileStats.lines++;
    stats.lines++;
    const event = lineEvent(tail, lineNo, fileStats, stats, options);
    if (event !== undefined && event !== 'pending') yield [event];
  }
  if (complete && options.state) {
    options.state.set({
      path: file,
      dev: st.dev,
      ino: st.ino,
      size: st.size,
      mtimeMs: st.mtimeMs,
      headHash: '',
      headLen: 0,
      offset: st.size,
      lines: lineNo,
      gzip: true,
      done: true,
      updatedAt: Date.now(),
    });
  }
}
