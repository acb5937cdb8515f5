/**
 * A fast start: a cached `vtg lookup` (the built CLI) loads only what it needs. bin/vtg.js runs the
 * CLI bundle (scripts/build-cli.mjs) with a V8 code cache; both ways of running are checked:
 * - dist/ itself (VTG_CLI_BUNDLE=off): a module-load hook records every ES module the child loads;
 * - the bundle: V8 coverage names the dist/ modules whose code ran (each module reached by
 *   `import()` is a function named after its dist/ path), and a require() hook records packages.
 * The heavy ones (HTTP server, Redis, simulator, upstream clients, uploads, zod, undici) must not be
 * among them. Speed itself is measured by bench/cli.ts, not asserted here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type MockServer, startMock } from '../mock/index.js';
import { BUNDLE, ensureBuilt, LOOKUP_BUNDLE, REPO, runVtg, type Sandbox, sandbox } from './test-support/harness.js';

/** What a cached lookup must never load, as path fragments of module URLs. */
const HEAVY: Record<string, RegExp> = {
  'HTTP server (hono, src/http)': /\/node_modules\/(hono|@hono)\/|\/dist\/http\//,
  'Redis client': /\/node_modules\/ioredis\//,
  simulator: /\/dist\/mock\//,
  'upstream clients': /\/dist\/providers\/(virustotal\/client|urlhaus|dshield|spur)/,
  undici: /\/node_modules\/undici\//,
  zod: /\/node_modules\/zod\//,
  'uploads and content scanning': /\/dist\/(archives|fetch|yara|multipart)\//,
  'webhooks and Cowrie': /\/dist\/(webhooks|cowrie)\//,
  'other commands': /\/dist\/cli\/commands\/(?!lookup\.js|common\.js)/,
};

let box: Sandbox;
let mock: MockServer;
let traceDir: string;

before(async () => {
  ensureBuilt();
  box = sandbox();
  mock = await startMock({ profile: 'premium' });
  traceDir = mkdtempSync(join(tmpdir(), 'vtg-trace-'));
  // the hook runs in the loader thread and appends each loaded ES module's URL to $VTG_TRACE_FILE
  writeFileSync(
    join(traceDir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.VTG_TRACE_FILE) appendFileSync(process.env.VTG_TRACE_FILE, url + '\\n');
  return next(url, context);
}
`,
  );
  writeFileSync(join(traceDir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(traceDir, 'hooks.mjs')).href)});\n`);
  // and every file require() loads (packages the bundle requires), as URLs too
  writeFileSync(
    join(traceDir, 'require-hook.cjs'),
    `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const out = load.apply(this, arguments);
  try {
    const file = Module._resolveFilename(request, parent, isMain);
    if (process.env.VTG_TRACE_FILE && file.startsWith('/')) appendFileSync(process.env.VTG_TRACE_FILE, pathToFileURL(file).href + '\\n');
    else if (process.env.VTG_TRACE_FILE && Module.isBuiltin(file)) appendFileSync(process.env.VTG_TRACE_FILE, 'node:' + file.replace(/^node:/, '') + '\\n');
  } catch {}
  return out;
};
`,
  );
});

after(async () => {
  await mock?.close();
  box?.remove();
  if (traceDir) rmSync(traceDir, { recursive: true, force: true });
});

/**
 * The bundles that ran (vtg.cjs, lookup.cjs) and the dist/ modules whose code ran in them, as file
 * URLs (from V8 coverage: esbuild names each lazy module's function after its path).
 */
function bundleModulesRun(coverageDir: string): { bundles: string[]; modules: string[] } {
  const ran = new Set<string>();
  const bundles = new Set<string>();
  for (const name of readdirSync(coverageDir)) {
    const report = JSON.parse(readFileSync(join(coverageDir, name), 'utf8')) as { result: Array<{ url: string; functions: Array<{ functionName: string; ranges: Array<{ count: number }> }> }> };
    for (const script of report.result) {
      const bundle = [BUNDLE, LOOKUP_BUNDLE].find((b) => script.url === b || script.url === pathToFileURL(b).href);
      if (!bundle) continue;
      bundles.add(bundle);
      for (const fn of script.functions) if (/^dist\/.+\.js$/.test(fn.functionName) && (fn.ranges[0]?.count ?? 0) > 0) ran.add(`${pathToFileURL(REPO).href}/${fn.functionName}`);
    }
  }
  return { bundles: [...bundles], modules: [...ran] };
}

/**
 * Runs `vtg` with the load traces on; returns its result and the modules it loaded: the ES modules
 * and required files, and, when the bundle ran, the dist/ modules whose code ran inside it.
 */
async function traced(args: string[], env: NodeJS.ProcessEnv, name: string) {
  const file = join(traceDir, `${name}.txt`);
  const coverage = mkdtempSync(join(traceDir, `${name}-coverage-`));
  writeFileSync(file, '');
  const hooks = `--import=${pathToFileURL(join(traceDir, 'register.mjs')).href} --require=${join(traceDir, 'require-hook.cjs')}`;
  const r = await runVtg(args, { ...env, NODE_OPTIONS: hooks, VTG_TRACE_FILE: file, NODE_V8_COVERAGE: coverage });
  const inBundle = bundleModulesRun(coverage);
  return { ...r, bundles: inBundle.bundles, modules: [...readFileSync(file, 'utf8').split('\n').filter(Boolean), ...inBundle.modules] };
}

function heavyIn(modules: string[]): string[] {
  return Object.entries(HEAVY).flatMap(([what, re]) => {
    const hits = modules.filter((m) => re.test(m));
    return hits.length ? [`${what}: ${hits.slice(0, 3).map((m) => m.replace(pathToFileURL(REPO).href, '')).join(', ')}`] : [];
  });
}

for (const mode of ['bundle', 'dist'] as const) {
  describe(`a cached vtg lookup loads only what it needs (${mode === 'bundle' ? 'the CLI bundle' : 'dist/, VTG_CLI_BUNDLE=off'})`, () => {
    // each way of running gets its own data dir, so its first lookup is not cached yet
    const modeEnv = (env: NodeJS.ProcessEnv) => ({ ...env, VTG_DATA_DIR: join(box.dir, `data-${mode}`), ...(mode === 'dist' ? { VTG_CLI_BUNDLE: 'off' } : {}) });
    const run = async (args: string[], env: NodeJS.ProcessEnv, name: string) => {
      const r = await traced(args, modeEnv(env), `${mode}-${name}`);
      // a lookup runs from the lookup bundle alone (the full one is not even read)
      assert.deepEqual(r.bundles, mode === 'bundle' ? [LOOKUP_BUNDLE] : [], 'the bundles bin/vtg.js ran');
      return r;
    };
    test('with a key: the first lookup calls VirusTotal; the cached one loads no upstream, server or schema code', async () => {
      const env = box.env({ VT_API_KEY: 'start-up-test-key-0123456789abcdef', VTG_VIRUSTOTAL_URL: mock.url });
      const first = await run(['lookup', 'example.com'], env, 'key-first');
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /example\.com\s+domain\s+\S+.*upstream/);
      // the trace sees the upstream client when it is needed, so the check below means something
      assert.ok(first.modules.some((m) => HEAVY['upstream clients']?.test(m)), 'the first lookup loaded the VirusTotal client');
      assert.ok(first.modules.some((m) => HEAVY.undici?.test(m) || HEAVY.zod?.test(m)), 'the first lookup loaded the client\'s packages');

      const before = mock.stats().total;
      const cached = await run(['lookup', 'example.com'], env, 'key-cached');
      assert.equal(cached.code, 0, cached.stderr);
      assert.match(cached.stdout, /example\.com\s+domain\s+\S+.*cache/);
      assert.equal(mock.stats().total - before, 0, 'a cached lookup makes no upstream call (not even a quota read)');
      assert.deepEqual(heavyIn(cached.modules), []);
      // the bundle loads node:crypto on first use only; dist/ imports it statically (token and session code)
      if (mode === 'bundle') assert.ok(!cached.modules.includes('node:crypto'), 'the cached lookup did not load node:crypto');
    });

    test('in mock mode: the cached lookup does not start the simulator', async () => {
      const env = box.env();
      const first = await run(['lookup', '8.8.8.8'], env, 'mock-first');
      assert.equal(first.code, 0, first.stderr);
      assert.ok(first.modules.some((m) => HEAVY.simulator?.test(m)), 'the first lookup started the simulator');
      const cached = await run(['lookup', '8.8.8.8', '--json'], env, 'mock-cached');
      assert.equal(cached.code, 0, cached.stderr);
      assert.equal((JSON.parse(cached.stdout) as Array<{ source: string }>)[0]?.source, 'cache');
      assert.deepEqual(heavyIn(cached.modules), []);
    });
  });
}

describe('a config file', () => {
  test('a config file is still validated (zod loads only then) and its mistakes are named', async () => {
    const file = join(box.dir, 'bad-config.json');
    writeFileSync(file, JSON.stringify({ scheduler: { concurrency: 'four' } }), { mode: 0o600 });
    const r = await runVtg(['lookup', 'example.com', '--config', file], box.env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config file .*bad-config\.json is invalid/);
    assert.match(r.stderr, /scheduler\.concurrency/);
  });
});
