/**
 * `vtg watch`: scans each new or changed file in a folder (hash first: an unchanged file is never
 * scanned twice), after a debounce so a file still being written is scanned once, when it settles.
 * Scans run one at a time; events for ignored paths (globs) are dropped.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type FSWatcher, watch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import picomatch from 'picomatch';

export interface WatchOptions {
  recursive?: boolean;
  /** Globs relative to the watched directory (e.g. `*.part`, `tmp/**`). */
  ignore?: string[];
  debounceMs?: number;
  /** Also scan the files already there when watching starts. */
  initial?: boolean;
  onFile: (path: string, sha256: string) => Promise<void>;
  onError?: (path: string, err: unknown) => void;
}

export async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export class FolderWatcher {
  readonly #seen = new Map<string, string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #ignored: (p: string) => boolean;
  #queue: Promise<void> = Promise.resolve();
  #watcher: FSWatcher | null = null;
  #pending = 0;

  constructor(
    readonly dir: string,
    private readonly options: WatchOptions,
  ) {
    const globs = options.ignore ?? [];
    const match = globs.length ? picomatch(globs, { dot: true }) : null;
    this.#ignored = (rel) => (match ? match(rel) || match(rel.split('/').pop() ?? rel) : false);
  }

  async start(): Promise<void> {
    const existing = await this.#list(this.dir);
    for (const p of existing) {
      if (this.options.initial) this.#schedule(p, 0);
      else this.#seen.set(p, await sha256Of(p).catch(() => ''));
    }
    this.#watcher = watch(this.dir, { recursive: Boolean(this.options.recursive) }, (_event, name) => {
      if (!name) return;
      this.#schedule(join(this.dir, name.toString()), this.options.debounceMs ?? 500);
    });
  }

  /** Resolves when no scan is pending or running (tests, graceful stop). */
  async idle(): Promise<void> {
    while (this.#pending > 0 || this.#timers.size > 0) {
      await this.#queue;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.#watcher?.close();
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #schedule(path: string, delay: number): void {
    const rel = relative(this.dir, path).split('\\').join('/');
    if (rel.startsWith('..') || this.#ignored(rel)) return;
    const old = this.#timers.get(path);
    if (old) clearTimeout(old);
    this.#timers.set(
      path,
      setTimeout(() => {
        this.#timers.delete(path);
        this.#pending++;
        this.#queue = this.#queue.then(() => this.#check(path)).finally(() => this.#pending--);
      }, delay),
    );
  }

  async #check(path: string): Promise<void> {
    try {
      const st = await lstat(path).catch(() => null);
      if (!st?.isFile()) return; // gone, a directory or a symlink: never followed
      const sha256 = await sha256Of(path);
      if (this.#seen.get(path) === sha256) return;
      this.#seen.set(path, sha256);
      await this.options.onFile(path, sha256);
    } catch (err) {
      this.options.onError?.(path, err);
    }
  }

  async #list(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (this.#ignored(relative(this.dir, p).split('\\').join('/'))) continue;
      if (e.isFile()) out.push(p);
      else if (e.isDirectory() && this.options.recursive) out.push(...(await this.#list(p)));
    }
    return out;
  }
}
