/** Files the CLI writes output to (--out, --log-file): checked before any work starts, never left half-written. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { access, constants, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
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
