/**
 * Incremental reading state: for each log file (identified by device + inode, checked with the size and
 * a hash of its first 64 bytes) the byte offset just past the last complete line read. A rotated file
 * (renamed, same inode) is resumed where it was left; a replaced or truncated one is read again.
 * Gzip files are remembered as done once fully read, while their size and mtime stay the same.
 * Saved as JSON through a temp file and a rename, so a crash never leaves half a state file.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export const HEAD_BYTES = 64;

export interface CowrieFileState {
  /** Last path the file was seen under. */
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** sha256 hex of the first `headLen` bytes. */
  headHash: string;
  headLen: number;
  /** Byte offset just past the last complete line consumed. */
  offset: number;
  /** Lines consumed up to `offset` (keeps `_line` numbers right on resume). */
  lines: number;
  gzip: boolean;
  /** Gzip only: read to the end. */
  done: boolean;
  updatedAt: number;
}

interface StateFile {
  version: 1;
  files: Record<string, CowrieFileState>;
  /** Indicators (`kind:id`) seen by the runs that saved this state, for the report's newSinceLastRun. */
  seen?: string[];
}

export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export function identityKey(id: { dev: number; ino: number }): string {
  return `${id.dev}:${id.ino}`;
}

/** sha256 of the first `length` bytes (fewer when the file is shorter: then it cannot match a longer head). */
export async function headHash(fh: FileHandle, length: number): Promise<{ hash: string; length: number }> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, 0);
  return { hash: createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex'), length: bytesRead };
}

export class CowrieState {
  readonly path: string | undefined;
  #files: Map<string, CowrieFileState>;
  #seen: Set<string>;

  private constructor(path: string | undefined, files: Record<string, CowrieFileState>, seen: readonly string[] = []) {
    this.path = path;
    this.#files = new Map(Object.entries(files));
    this.#seen = new Set(seen.filter((x) => typeof x === 'string'));
  }

  /** A state with no files that keeps this one's path and seen indicators. */
  emptyCopy(): CowrieState {
    return new CowrieState(this.path, {}, [...this.#seen]);
  }

  /** Remembers an indicator (`kind:id`) as seen; saved with the state. */
  markSeen(key: string): void {
    this.#seen.add(key);
  }

  /** Whether an indicator was seen, as of now (later markSeen calls do not change the answer). */
  seenSnapshot(): (key: string) => boolean {
    const before = new Set(this.#seen);
    return (key) => before.has(key);
  }

  /** An empty state kept in memory only (save() needs a path). */
  static empty(path?: string): CowrieState {
    return new CowrieState(path, {});
  }

  /** Loads the state file; a missing file is an empty state. A corrupt one is an error (never silently re-read everything). */
  static async load(path: string): Promise<CowrieState> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new CowrieState(path, {});
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${path}: the Cowrie state file is not valid JSON; move it away to start over`);
    }
    const files = (parsed as Partial<StateFile> | null)?.files;
    if (!files || typeof files !== 'object') throw new Error(`${path}: not a Cowrie state file`);
    const seen = (parsed as Partial<StateFile>).seen;
    return new CowrieState(path, files, Array.isArray(seen) ? seen : []);
  }

  /** Writes the state (temp file + rename). */
  async save(path = this.path): Promise<void> {
    if (!path) throw new Error('CowrieState.save: no state file path');
    const body: StateFile = { version: 1, files: Object.fromEntries(this.#files), seen: [...this.#seen] };
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, `${JSON.stringify(body, null, 1)}\n`, { mode: 0o600 });
    await rename(tmp, path);
  }

  get(id: { dev: number; ino: number }): CowrieFileState | undefined {
    return this.#files.get(identityKey(id));
  }

  set(entry: CowrieFileState): void {
    this.#files.set(identityKey(entry), entry);
  }

  entries(): CowrieFileState[] {
    return [...this.#files.values()];
  }

  /**
   * Where to resume a plain file: the saved offset when the saved entry is this very file
   * (same head, not shorter than what was read), else 0.
   */
  async resumePoint(fh: FileHandle, id: FileIdentity): Promise<{ offset: number; lines: number }> {
    const entry = this.get(id);
    if (!entry || entry.gzip || entry.offset > id.size || entry.headLen === 0) return { offset: 0, lines: 0 };
    const head = await headHash(fh, entry.headLen);
    if (head.length !== entry.headLen || head.hash !== entry.headHash) return { offset: 0, lines: 0 };
    return { offset: entry.offset, lines: entry.lines };
  }

  /** True when this gzip file was fully read before and has not changed since. */
  gzipDone(id: FileIdentity): boolean {
    const entry = this.get(id);
    return !!entry?.gzip && entry.done && entry.size === id.size && entry.mtimeMs === id.mtimeMs;
  }
}
