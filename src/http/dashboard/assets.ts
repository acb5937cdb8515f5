/**
 * The dashboard's static files: its own ES modules and stylesheet (`web/` at the package root) and
 * uPlot, served from the installed package (node_modules), never from a CDN. Read once, then kept.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

function uplotDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
}

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** name -> file: only these are served (no path from the request reaches the file system). */
function fileOf(name: string): string | undefined {
  if (name === 'uPlot.esm.js' || name === 'uPlot.min.css') return join(uplotDir(), name);
  if (/^[a-z][a-z0-9-]{0,40}\.(js|css)$/.test(name)) return join(WEB_DIR, name);
  return undefined;
}

const cache = new Map<string, { body: string; type: string } | null>();

export async function asset(name: string): Promise<{ body: string; type: string } | null> {
  if (cache.has(name)) return cache.get(name) ?? null;
  const file = fileOf(name);
  let found: { body: string; type: string } | null = null;
  if (file) {
    try {
      found = { body: await readFile(file, 'utf8'), type: TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream' };
    } catch {
      found = null;
    }
  }
  cache.set(name, found);
  return found;
}
