// Rules the repository checks itself (docs/ARCHITECTURE.md): no import cycles in src/, faces reach the
// store only through Gateway, the engine never imports a face, and no source file passes 400 lines.
// The graph is built from a regex over import / export-from statements (type-only imports included).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(dirname(new URL(import.meta.url).pathname));
const MAX_LINES = 400;

/**
 * Files allowed past MAX_LINES for now, each in another engineer's area. The lead removes an entry
 * when the change that shrinks the file is merged; do not add entries for new code.
 */
const LINE_LIMIT_ALLOWLIST: Record<string, string> = {
};

/**
 * Import cycles allowed for now, each in another engineer's area (sorted file lists, as reported).
 * The lead removes an entry when its owner's fix is merged; do not add entries for new code.
 */
const CYCLE_ALLOWLIST: Record<string, string> = {
};

/** Folders of the engine: `gateway/` and everything below it. They never import a face. */
const ENGINE = ['gateway', 'scheduler', 'governor', 'cache', 'store', 'providers', 'indicators', 'clock', 'config', 'webhooks', 'cowrie'];
const FACES = ['http', 'cli'];

function isTestFile(rel: string): boolean {
  return rel.endsWith('.test.ts') || rel.split('/').includes('test-support') || rel.endsWith('/test-support.ts') || rel.endsWith('test-data.ts');
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(SRC, p).split('\\').join('/'));
  }
  return out;
}

// `import ... from 'x'`, `import type ... from 'x'`, `export ... from 'x'`, `import 'x'`, `import('x')`.
const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(rel: string, text: string, files: Set<string>): string[] {
  const out = new Set<string>();
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    if (!spec?.startsWith('.')) continue;
    let target = join(dirname(rel), spec).split('\\').join('/');
    target = target.replace(/\.js$/, '.ts');
    if (!target.endsWith('.ts')) target = files.has(`${target}.ts`) ? `${target}.ts` : `${target}/index.ts`;
    if (files.has(target)) out.add(target);
  }
  return [...out];
}

const top = (rel: string) => rel.split('/')[0] as string;

function sourceGraph(): { files: string[]; graph: Map<string, string[]>; text: Map<string, string> } {
  const all = walk(SRC);
  const files = all.filter((f) => !isTestFile(f));
  const set = new Set(all);
  const text = new Map(files.map((f) => [f, readFileSync(join(SRC, f), 'utf8')]));
  const graph = new Map(files.map((f) => [f, importsOf(f, text.get(f) as string, set).filter((t) => !isTestFile(t))]));
  return { files, graph, text };
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const { files, graph, text } = sourceGraph();

test('the import graph walker sees the source tree', () => {
  assert.ok(files.length > 100, `only ${files.length} files found`);
  assert.ok((graph.get('index.ts') ?? []).length > 0, 'src/index.ts has imports');
});

test('no import cycles in src/ (type-only imports included)', () => {
  const found = cycles(graph).filter((c) => !(c.join(' <-> ') in CYCLE_ALLOWLIST));
  assert.deepEqual(found, [], `import cycles:\n${found.map((c) => `  ${c.join(' <-> ')}`).join('\n')}`);
});

test('faces (http/, cli/) never import the store', () => {
  const bad = files.filter((f) => FACES.includes(top(f))).flatMap((f) => (graph.get(f) ?? []).filter((t) => top(t) === 'store').map((t) => `${f} -> ${t}`));
  assert.deepEqual(bad, []);
});

test('the engine (gateway/ and below) never imports a face', () => {
  const bad = files.filter((f) => ENGINE.includes(top(f))).flatMap((f) => (graph.get(f) ?? []).filter((t) => FACES.includes(top(t))).map((t) => `${f} -> ${t}`));
  assert.deepEqual(bad, []);
});

test(`no source file passes ${MAX_LINES} lines (allowlisted files excepted)`, () => {
  const long = files.filter((f) => (text.get(f) as string).split('\n').length - 1 > MAX_LINES && !(f in LINE_LIMIT_ALLOWLIST));
  assert.deepEqual(long, []);
});

/** The process boundary of the CLI (it hands `process.env` to the context, like bin/vtg.js hands it argv). */
const ENV_READERS = new Set(['cli/io.ts']);

test('config/ is the only reader of process.env (tests and the CLI entry excepted)', () => {
  const bad = files.filter((f) => {
    if (top(f) === 'config' || ENV_READERS.has(f)) return false;
    const code = (text.get(f) as string).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    return /process\.env\b/.test(code);
  });
  assert.deepEqual(bad, []);
});

test('the line-limit allowlist names only files that exist', () => {
  const missing = Object.keys(LINE_LIMIT_ALLOWLIST).filter((f) => !text.has(f));
  assert.deepEqual(missing, []);
});

test('the walker catches a cycle and a type-only import', () => {
  const set = new Set(['a/x.ts', 'b/index.ts']);
  assert.deepEqual(importsOf('a/x.ts', "import type { T } from '../b/index.js';", set), ['b/index.ts']);
  assert.deepEqual(importsOf('b/index.ts', "export { y } from '../a/x.js';\nexport * from '../a/x.js';", set), ['a/x.ts']);
  assert.deepEqual(cycles(new Map([['a/x.ts', ['b/index.ts']], ['b/index.ts', ['a/x.ts']]])), [['a/x.ts', 'b/index.ts']]);
});
