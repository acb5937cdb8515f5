/**
 * Turns the paths a user gives (files, directories, simple globs) into Cowrie log files in time order:
 * dated rotations by their date, numbered rotations (cowrie.json.2 before .1), the live `cowrie.json` last.
 * Node 20 has no fs.glob, so `*` and `?` are supported in the last path segment only.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

/** Cowrie log names: cowrie.json, cowrie.json.YYYY-MM-DD, cowrie.YYYY-MM-DD.json, cowrie_YYYY-MM-DD.json, cowrie.json.N, each optionally .gz. */
const LOG_NAME =
  /(^|[_.-])cowrie(\.json(\.\d{4}-\d{2}-\d{2}|\.\d{1,4})?|[._]\d{4}-\d{2}-\d{2}\.json)(\.gz)?$/;

export class CowrieInputError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'CowrieInputError';
  }
}

export function isCowrieLogName(name: string): boolean {
  return LOG_NAME.test(name);
}

/** Sort key: [group, date or number, name]. group 0 = dated, 1 = undated rotated, 2 = live file. */
function orderKey(path: string, mtimeMs: number): [number, number, string] {
  const name = basename(path);
  const date = /(\d{4})-(\d{2})-(\d{2})/.exec(name);
  if (date) return [0, Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])), name];
  const numbered = /\.json\.(\d{1,4})(\.gz)?$/.exec(name);
  // cowrie.json.2 is older than cowrie.json.1: a larger number sorts first.
  if (numbered) return [1, -Number(numbered[1]), name];
  if (/(^|[_.-])cowrie\.json(\.gz)?$/.test(name)) return [2, mtimeMs, name];
  return [1, mtimeMs, name];
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** Resolves inputs to existing regular files, deduplicated, in time order. Throws CowrieInputError when an input matches nothing. */
export async function resolveLogFiles(inputs: readonly string[]): Promise<string[]> {
  const found = new Map<string, number>();
  for (const input of inputs) {
    const name = basename(input);
    if (/[*?]/.test(dirname(input))) throw new CowrieInputError(input, 'wildcards are supported in the file name only');
    if (/[*?]/.test(name)) {
      const dir = dirname(input);
      const re = globToRegExp(name);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        throw new CowrieInputError(input, 'no such directory');
      }
      let matched = 0;
      for (const n of names.filter((x) => re.test(x))) {
        const p = resolve(dir, n);
        const s = await stat(p).catch(() => undefined);
        if (s?.isFile()) {
          found.set(p, s.mtimeMs);
          matched++;
        }
      }
      if (matched === 0) throw new CowrieInputError(input, 'matched no files');
      continue;
    }
    const s = await stat(input).catch(() => undefined);
    if (!s) throw new CowrieInputError(input, 'no such file or directory');
    if (s.isDirectory()) {
      let matched = 0;
      for (const n of await readdir(input)) {
        if (!isCowrieLogName(n)) continue;
        const p = resolve(input, n);
        const fs = await stat(p).catch(() => undefined);
        if (fs?.isFile()) {
          found.set(p, fs.mtimeMs);
          matched++;
        }
      }
      if (matched === 0) throw new CowrieInputError(input, 'holds no cowrie.json* files');
    } else if (s.isFile()) {
      found.set(resolve(input), s.mtimeMs);
    } else {
      throw new CowrieInputError(input, 'not a regular file');
    }
  }
  return [...found.entries()]
    .map(([path, mtime]) => ({ path, key: orderKey(path, mtime) }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2].localeCompare(b.key[2]))
    .map((x) => x.path);
}

/** True when the file starts with the gzip magic bytes (the extension is not trusted). */
export async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}
