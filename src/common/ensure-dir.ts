/**
 * Creates a directory and its missing parents, one level at a time. Node's own recursive mkdir
 * loops forever where the system answers ENOENT for a new entry under a directory that exists
 * (/proc, /sys: `--data-dir /proc/x` spun a core); here that ENOENT is thrown, naming the path.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export function ensureDir(path: string, mode = 0o700): void {
  const missing: string[] = [];
  let at = path;
  for (;;) {
    if (exists(at)) break; // a file here fails below as ENOTDIR/EEXIST from mkdir, naming it
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, { mode });
    } catch (err) {
      // created meanwhile by another process: fine
      if ((err as { code?: unknown }).code !== 'EEXIST' || !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw err;
    }
  }
}

/** Whether something is at `path` (a path through a regular file is nothing: its mkdir names the problem). */
function exists(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOTDIR') return false;
    throw err;
  }
}
