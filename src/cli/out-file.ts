/** Files the CLI writes output to (--out, --log-file): checked before any work starts, never left half-written. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { access, constants, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { UsageError } from './errors.js';

/** Fails (exit 2) when FILE could not be written: a missing or read-only directory, or a directory at FILE. */
export async function checkWritable(path: string, flag: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st?.isDirectory()) throw new UsageError(`${flag} ${path}: is a directory`);
  try {
    await access(st ? path : dirname(path), constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'not writable' : (code ?? 'cannot write')}`);
  }
}

/** Writes the whole text through a temp file and a rename: a reader never sees half a report. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Opens FILE for appending (owner-only when created); an error is a usage error, raised before any work. */
export function openAppend(path: string, flag: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    stream.once('open', () => resolve(stream));
    stream.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`${flag} ${path}: ${err.code ?? err.message}`)));
  });
}

/** Ends an append stream once everything written has reached the file. */
export function closeAppend(stream: WriteStream | undefined): Promise<void> {
  return new Promise((resolve) => (stream ? stream.end(resolve) : resolve()));
}

/** Writes a document as it is produced, to FILE through a temp file and a rename (or to a stream such as stdout). */
export interface StreamedOutput {
  /** Resolves once the stream can take more (a slow reader slows the writer, not memory). */
  write(text: string): Promise<void>;
  /** Everything written: the file takes its name. */
  commit(): Promise<void>;
  /** Failed or interrupted: the temp file goes, FILE is left as it was. */
  abort(): Promise<void>;
}

function writeOrWait(stream: Writable, text: string): Promise<void> {
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', done);
      stream.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    stream.once('drain', done);
    stream.once('error', done);
  });
}

export function streamedOutput(target: { path: string } | { stream: Writable }): StreamedOutput {
  if ('stream' in target) {
    return { write: (text) => writeOrWait(target.stream, text), commit: async () => undefined, abort: async () => undefined };
  }
  const tmp = `${target.path}.${process.pid}.tmp`;
  const file = createWriteStream(tmp);
  const ended = () => new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return {
    write: (text) => writeOrWait(file, text),
    commit: async () => {
      await ended();
      await rename(tmp, target.path);
    },
    abort: async () => {
      await ended().catch(() => undefined);
      await rm(tmp, { force: true });
    },
  };
}
