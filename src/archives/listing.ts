/** Parses 7-Zip's `l -slt` listing and judges each entry's path and kind before anything is extracted. */
import type { Finding } from './types.js';

export interface ListedEntry {
  path: string;
  size: number | null;
  packed: number | null;
  dir: boolean;
  encrypted: boolean;
  symlink: string | null;
  hardlink: string | null;
}

/** Entries after the `----------` separator, one block of `Key = value` lines each. */
export function parseListing(lines: readonly string[]): ListedEntry[] {
  const start = lines.indexOf('----------');
  if (start < 0) return [];
  const entries: ListedEntry[] = [];
  let cur: Record<string, string> | null = null;
  const flush = () => {
    if (cur && cur.Path !== undefined) {
      const attrs = cur.Attributes ?? '';
      const unixMode = /\s([-dlcbps])[-r][-w][-xsStT]/.exec(` ${attrs}`);
      const symlink = cur['Symbolic Link'] || (unixMode?.[1] === 'l' ? '(symlink)' : '');
      entries.push({
        path: cur.Path,
        size: cur.Size ? Number(cur.Size) : null,
        packed: cur['Packed Size'] ? Number(cur['Packed Size']) : null,
        dir: cur.Folder === '+' || /^D/.test(attrs.trim()) || unixMode?.[1] === 'd',
        encrypted: cur.Encrypted === '+',
        symlink: symlink || null,
        hardlink: cur['Hard Link'] || null,
      });
    }
    cur = null;
  };
  for (const line of lines.slice(start + 1)) {
    if (line === '') {
      flush();
      continue;
    }
    const m = /^([A-Za-z][A-Za-z ]*?) = ?(.*)$/.exec(line);
    if (!m) continue;
    cur ??= {};
    cur[m[1] as string] = m[2] as string;
  }
  flush();
  return entries;
}

/** Findings for an entry's path: absolute paths and `..` components (either slash). */
export function pathFindings(path: string, where: string): Finding[] {
  const out: Finding[] = [];
  const p = path.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.startsWith('//')) {
    out.push({ kind: 'absolute_path', path: where, message: `entry has an absolute path (${clip(path)}); not followed` });
  }
  if (p.split('/').includes('..')) {
    out.push({ kind: 'path_traversal', path: where, message: `entry climbs out of the archive (${clip(path)}); not followed` });
  }
  return out;
}

/** The relative name 7-Zip writes an entry under: `..`, `.`, drive letters and leading slashes dropped. */
export function safeRelative(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^[A-Za-z]:/, '')
    .split('/')
    .filter((c) => c !== '' && c !== '.' && c !== '..')
    .join('/');
}

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 60)}…${s.slice(-50)}` : s;
}
