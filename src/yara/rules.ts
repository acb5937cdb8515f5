/**
 * Local YARA rules (YARA-X through @litko/yara-x): a directory of .yar/.yara files compiled once,
 * recompiled when a file changes (a broken edit keeps the last good rules and reports the error),
 * scanned in memory at no quota cost.
 */
import { existsSync, type FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type { YaraMatch } from '../archives/types.js';

interface YaraEngine {
  scanAsync(data: Buffer): Promise<Array<{ ruleIdentifier: string; namespace: string; meta: object; tags: string[]; matches: Array<{ offset: number }> }>>;
  setMaxMatchesPerPattern(n: number): void;
}
interface YaraModule {
  compile(source: string): YaraEngine;
}

let mod: YaraModule | undefined;
function yarax(): YaraModule {
  mod ??= createRequire(import.meta.url)('@litko/yara-x') as YaraModule;
  return mod;
}

export class YaraRuleError extends Error {
  override name = 'YaraRuleError';
  readonly code = 'InvalidYaraRules';
}

export interface RuleInfo {
  name: string;
  file: string;
  tags: string[];
}

export interface RulesStatus {
  dir: string | null;
  files: number;
  rules: RuleInfo[];
  loadedAt: number | null;
  /** The last compile error (the previous rules stay in use). */
  error: string | null;
}

/** Rule files under `dir` (recursive), sorted. */
export function ruleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.(yar|yara)$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function compileSources(files: Array<{ file: string; source: string }>): { engine: YaraEngine; rules: RuleInfo[] } {
  let engine: YaraEngine;
  try {
    engine = yarax().compile(files.map((f) => f.source).join('\n'));
  } catch (err) {
    throw new YaraRuleError((err as Error).message.split('\n').slice(0, 4).join(' '));
  }
  engine.setMaxMatchesPerPattern(64);
  const rules: RuleInfo[] = [];
  for (const f of files) {
    for (const m of f.source.matchAll(/^\s*(?:(?:private|global)\s+)*rule\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([A-Za-z0-9_ \t]+?))?\s*\{/gm)) {
      rules.push({ name: m[1] as string, file: f.file, tags: (m[2] ?? '').split(/\s+/).filter(Boolean) });
    }
  }
  return { engine, rules };
}

export class YaraRules {
  #engine: YaraEngine | null = null;
  #status: RulesStatus;
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;

  private constructor(readonly dir: string | null) {
    this.#status = { dir, files: 0, rules: [], loadedAt: null, error: null };
  }

  /** Rules from one source text (tests, `vtg yara test` with a single file). */
  static fromSource(source: string, file = 'inline'): YaraRules {
    const r = new YaraRules(null);
    const { engine, rules } = compileSources([{ file, source }]);
    r.#engine = engine;
    r.#status = { dir: null, files: 1, rules, loadedAt: Date.now(), error: null };
    return r;
  }

  /** Rules from a directory or a single file; throws YaraRuleError when they do not compile. */
  static load(path: string, options: { watch?: boolean } = {}): YaraRules {
    if (!existsSync(path)) throw new YaraRuleError(`no such rules directory or file: ${path}`);
    const r = new YaraRules(path);
    r.reload(true);
    if (options.watch && statSync(path).isDirectory()) r.#watch();
    return r;
  }

  /** Recompiles from disk; on error keeps the previous rules (or throws when `strict`). */
  reload(strict = false): void {
    const dir = this.dir as string;
    try {
      const files = statSync(dir).isDirectory() ? ruleFiles(dir) : [dir];
      const sources = files.map((f) => ({ file: statSync(dir).isDirectory() ? relative(dir, f) : f, source: readFileSync(f, 'utf8') }));
      const { engine, rules } = compileSources(sources);
      this.#engine = engine;
      this.#status = { dir, files: files.length, rules, loadedAt: Date.now(), error: null };
    } catch (err) {
      if (strict) throw err instanceof YaraRuleError ? err : new YaraRuleError((err as Error).message);
      this.#status = { ...this.#status, error: (err as Error).message };
    }
  }

  #watch(): void {
    try {
      this.#watcher = watch(this.dir as string, { recursive: true }, () => {
        if (this.#timer) clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.reload(), 300);
        this.#timer.unref();
      });
      this.#watcher.unref();
    } catch {
      // recursive watching is not available everywhere; rules then load once
    }
  }

  status(): RulesStatus {
    return this.#status;
  }

  async scan(data: Uint8Array): Promise<YaraMatch[]> {
    if (!this.#engine) return [];
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const found = await this.#engine.scanAsync(buf);
    return found.map((m) => ({
      rule: m.ruleIdentifier,
      namespace: m.namespace,
      tags: m.tags,
      meta: m.meta as Record<string, unknown>,
      offsets: [...new Set(m.matches.map((x) => x.offset))].sort((a, b) => a - b),
    }));
  }

  close(): void {
    this.#watcher?.close();
    if (this.#timer) clearTimeout(this.#timer);
  }
}
