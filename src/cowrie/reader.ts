/**
 * Streaming reader of Cowrie JSON logs: plain or gzip (by magic bytes), any size with flat memory,
 * rotated sets in time order. Malformed, truncated and over-long lines are counted and sampled,
 * never fatal; a file that cannot be read is reported and skipped. With a CowrieState it reads only
 * what is new since the last run (call `state.save()` once the events are committed).
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { type CowrieEvent, KNOWN_EVENT_IDS } from './events.js';
import { isGzipFile, resolveLogFiles } from './files.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, type RawLine } from './lines.js';
import { type CowrieFileState, type CowrieState, HEAD_BYTES, headHash } from './state.js';

export interface ReadProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  lines: number;
  badLines: number;
}

export type BadLineReason = 'malformed' | 'truncated' | 'too_long' | 'not_an_event';

export interface BadLineSample {
  file: string;
  line: number;
  reason: BadLineReason;
  /** The first 120 characters of the line. */
  preview: string;
}

export interface CowrieFileStats {
  file: string;
  gzip: boolean;
  /** File size (compressed size for gzip). */
  bytesTotal: number;
  /** Bytes of the file consumed in this run. */
  bytesRead: number;
  /** Where this run started (non-zero when resuming). */
  startOffset: number;
  lines: number;
  events: number;
  /** Malformed + truncated + too long + not an event. */
  badLines: number;
  truncatedLines: number;
  /** Unchanged since the last run (gzip done, or nothing new): nothing was read. */
  unchanged: boolean;
  /** Why the file could not be read (fully), if so. */
  error?: string;
}

export interface CowrieReadStats {
  files: CowrieFileStats[];
  lines: number;
  events: number;
  badLines: number;
  truncatedLines: number;
  bytesRead: number;
  /** Event ids not in Cowrie's list, with counts (the events are still passed on). */
  unknownEvents: Record<string, number>;
  /** Files that could not be read to the end. */
  fileErrors: number;
  /** The first few bad lines, for the report. */
  badLineSamples: BadLineSample[];
}

export interface ReadCowrieOptions {
  state?: CowrieState;
  signal?: AbortSignal;
  onProgress?: (p: ReadProgress) => void;
  /** Filled as reading goes (also the generator's return value). */
  stats?: CowrieReadStats;
  maxLineBytes?: number;
  /** How many bad lines to keep as samples (default 20). */
  maxBadLineSamples?: number;
}

export function createReadStats(): CowrieReadStats {
  return {
    files: [],
    lines: 0,
    events: 0,
    badLines: 0,
    truncatedLines: 0,
    bytesRead: 0,
    unknownEvents: {},
    fileErrors: 0,
    badLineSamples: [],
  };
}

const CHUNK_BYTES = 256 * 1024;

/** Parses one line into an event, or says why it is not one. */
export function parseEventLine(text: string): { event: Record<string, unknown> } | { bad: BadLineReason } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { bad: 'malformed' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { bad: 'not_an_event' };
  const eventid = (parsed as Record<string, unknown>).eventid;
  if (typeof eventid !== 'string' || eventid === '') return { bad: 'not_an_event' };
  return { event: parsed as Record<string, unknown> };
}

/** Reads every event of the given files, directories or globs, in time order. */
export async function* readCowrieLogs(
  paths: readonly string[],
  options: ReadCowrieOptions = {},
): AsyncGenerator<CowrieEvent, CowrieReadStats> {
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

export function newFileStats(file: string, gzip: boolean): CowrieFileStats {
  return {
    file,
    gzip,
    bytesTotal: 0,
    bytesRead: 0,
    startOffset: 0,
    lines: 0,
    events: 0,
    badLines: 0,
    truncatedLines: 0,
    unchanged: false,
  };
}

function fileError(stats: CowrieReadStats, fileStats: CowrieFileStats, err: unknown): void {
  fileStats.error = (err as Error)?.message ?? String(err);
  stats.fileErrors++;
}

/**
 * Handles one line: the event to pass on; undefined for a blank or bad line (counted, consumed);
 * 'pending' for a half-written tail (counted as truncated, not consumed).
 */
export function lineEvent(
  line: RawLine,
  lineNo: number,
  fileStats: CowrieFileStats,
  stats: CowrieReadStats,
  options: Pick<ReadCowrieOptions, 'maxBadLineSamples'>,
): CowrieEvent | undefined | 'pending' {
  let reason: BadLineReason | undefined;
  if (line.tooLong) reason = 'too_long';
  else if (line.text.trim() === '') return undefined;
  else {
    const parsed = parseEventLine(line.text);
    if ('event' in parsed) {
      const event = parsed.event as CowrieEvent;
      event._file = fileStats.file;
      event._line = lineNo;
      fileStats.events++;
      stats.events++;
      if (!KNOWN_EVENT_IDS.has(event.eventid)) stats.unknownEvents[event.eventid] = (stats.unknownEvents[event.eventid] ?? 0) + 1;
      return event;
    }
    reason = line.complete ? parsed.bad : 'truncated';
  }
  fileStats.badLines++;
  stats.badLines++;
  if (reason === 'truncated') {
    fileStats.truncatedLines++;
    stats.truncatedLines++;
  }
  if (stats.badLineSamples.length < (options.maxBadLineSamples ?? 20)) {
    stats.badLineSamples.push({ file: fileStats.file, line: lineNo, reason, preview: line.text.slice(0, 120) });
  }
  // A half-written tail is not consumed: the next run reads it again once it is complete.
  return reason === 'truncated' ? 'pending' : undefined;
}

async function* readPlain(
  file: string,
  fileStats: CowrieFileStats,
  stats: CowrieReadStats,
  options: ReadCowrieOptions,
): AsyncGenerator<CowrieEvent> {
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
    const commit = (line: RawLine) => {
      if (entry) {
        entry.offset = line.end;
        entry.lines = lineNo;
      }
    };
    while (position < size) {
      options.signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK_BYTES, size - position), position);
      if (bytesRead === 0) break; // the file shrank under us
      position += bytesRead;
      fileStats.bytesRead += bytesRead;
      stats.bytesRead += bytesRead;
      for (const line of splitter.push(buf.subarray(0, bytesRead))) {
        lineNo++;
        fileStats.lines++;
        stats.lines++;
        const event = lineEvent(line, lineNo, fileStats, stats, options);
        // Consumed once handed over: the caller decides when to save() the state.
        commit(line);
        if (event !== undefined && event !== 'pending') yield event;
      }
      options.onProgress?.({ file, bytesRead: position, bytesTotal: size, lines: fileStats.lines, badLines: fileStats.badLines });
    }
    const tail = splitter.end();
    if (tail) {
      lineNo++;
      fileStats.lines++;
      stats.lines++;
      const event = lineEvent(tail, lineNo, fileStats, stats, options);
      if (event !== 'pending') {
        commit(tail);
        if (event !== undefined) yield event;
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
): AsyncGenerator<CowrieEvent> {
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
      for (const line of splitter.push(chunk as Buffer)) {
        lineNo++;
        fileStats.lines++;
        stats.lines++;
        const event = lineEvent(line, lineNo, fileStats, stats, options);
        if (event !== undefined && event !== 'pending') yield event;
      }
      options.onProgress?.({ file, bytesRead: counted, bytesTotal: st.size, lines: fileStats.lines, badLines: fileStats.badLines });
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
    if (event !== undefined && event !== 'pending') yield event;
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
