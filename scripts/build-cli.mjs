/**
 * Bundles the built CLI (dist/cli/main.js and everything it imports from dist/) into one CommonJS
 * module, dist/cli-bundle/vtg.cjs (written as the function Node would wrap it in), which bin/vtg.js runs with a V8 code cache: a command then reads
 * and compiles one file instead of resolving and compiling ~130 ES modules. A second bundle,
 * dist/cli-bundle/lookup.cjs, starts `vtg lookup` alone (dist/cli/lookup-main.js: no other command's
 * code, so less to read and deserialise); bin/vtg.js picks it by the command line's first word. Packages stay external
 * (loaded from node_modules as usual) except the two every command loads, commander and the
 * JavaScript of better-sqlite3 (its native addon stays where it is). Run by `npm run build` after tsc.
 *
 * Laziness is kept: a module dist/ reaches through `await import()` becomes a function that runs on
 * first use, so a cached lookup still runs no HTTP server, Redis or upload code (start-up.test.ts).
 * `import.meta` in each module is replaced with the values it has at that module's place in dist/,
 * so paths relative to a module (config/schema.js, web/, package.json, workers) stay right.
 *
 * Without esbuild installed the bundle is skipped with a note: bin/vtg.js then runs dist/ directly.
 */
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'dist', 'cli-bundle');
/** Each bundle's file in OUT_DIR and the dist/ module it starts from. */
const BUNDLES = { 'vtg.cjs': join(ROOT, 'dist', 'cli', 'main.js'), 'lookup.cjs': join(ROOT, 'dist', 'cli', 'lookup-main.js') };

/** `import.meta` of the dist/ module at `file`, evaluated in the bundle (where `__dirname` is dist/cli-bundle). */
function importMetaOf(file) {
  return `__vtgImportMeta(${JSON.stringify(relative(OUT_DIR, file).split('\\').join('/'))})`;
}

/**
 * The file is one function expression taking what Node gives a CommonJS module: bin/vtg.js compiles
 * it as it is (no copy of a megabyte of source to wrap it), with its code cache.
 */
const BANNER = `(function (exports, require, module, __filename, __dirname) {"use strict";
const __vtgImportMeta = (rel) => {
  const file = require("node:path").join(__dirname, rel);
  // url on first use: the first pathToFileURL() of a process costs ~3-5 ms
  return { get url() { return require("node:url").pathToFileURL(file).href; }, filename: file, dirname: require("node:path").dirname(file), resolve: (s) => require("node:url").pathToFileURL(require("node:module").createRequire(file).resolve(s)).href };
};`;

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('build-cli: esbuild is not installed; skipping the CLI bundle (bin/vtg.js runs dist/ directly, slower to start)');
  process.exit(0);
}

/** Packages inside the bundle: loaded by every command, plain CommonJS, no files of their own to find. */
const BUNDLED = ['commander', 'better-sqlite3'];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
// \`bindings\` (better-sqlite3's fallback addon finder) locates the addon from its caller's path: not bundled
const external = [...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.includes(name)), 'bindings'];

/** commander loads child_process (and with it net, dgram, streams) for executable subcommands, which vtg has none of. */
const CHILD_PROCESS = "const childProcess = require('node:child_process');";
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(CHILD_PROCESS)) throw new Error(`commander changed: ${args.path} no longer has ${CHILD_PROCESS}`);
      const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: text.replace(CHILD_PROCESS, lazy), loader: 'js' };
    });
  },
};

/**
 * The store loads better-sqlite3 with require() (cheaper than an ES import from dist/); in the bundle
 * it comes from the bundle itself (its ten files are not looked up and compiled one by one).
 */
const SQLITE_REQUIRE = "require('better-sqlite3')";
/**
 * Its addon is found where the build found it, relative to the bundle (resolving the package at
 * start-up read package.json files and statted a dozen paths, ~1-2 ms); connection.js still falls
 * back to better-sqlite3's own search when the file is not there.
 */
const SQLITE_PACKAGE_DIR = "dirname(require.resolve('better-sqlite3'))";
function bundledSqlite(path, text) {
  if (!/[\\/]dist[\\/]store[\\/]db[\\/]connection\.js$/.test(path)) return text;
  for (const expected of [SQLITE_REQUIRE, SQLITE_PACKAGE_DIR]) {
    if (!text.includes(expected)) throw new Error(`dist/store/db/connection.js no longer has ${expected}: update scripts/build-cli.mjs`);
  }
  const packageDir = relative(OUT_DIR, dirname(createRequire(path).resolve('better-sqlite3'))).split('\\').join('/');
  const bundledDir = `require('node:path').join(__dirname, ${JSON.stringify(packageDir)})`;
  return `import __vtgSqlite from 'better-sqlite3';\n${text.replace(SQLITE_REQUIRE, '__vtgSqlite').replace(SQLITE_PACKAGE_DIR, bundledDir)}`;
}

/**
 * node:crypto loads 15 internal modules; a cached lookup of a hash, domain or IP uses none of it, yet
 * a dozen dist/ modules on its path import something from it (token hashes, session keys, ids). In
 * the bundle it is an ES module of functions that load node:crypto on first call (ES, so esbuild
 * links the names directly: a CommonJS stand-in was copied into every importer). A dist/ module
 * importing a name not listed here fails the build ("No matching export"): add it.
 */
const LAZY_BUILTINS = {
  'node:crypto': ['createCipheriv', 'createDecipheriv', 'createHash', 'createHmac', 'hkdfSync', 'randomBytes', 'randomUUID', 'timingSafeEqual'],
};
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    // the stand-in's own require() of the builtin stays a require()
    build.onResolve({ filter: /^(node:)?crypto$/ }, (args) => (args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: 'node:crypto', namespace: 'lazy-builtin' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const names = LAZY_BUILTINS[args.path];
      if (!names) throw new Error(`no lazy stand-in for ${args.path}`);
      const lines = names.map((n) => `export const ${n} = (...args) => load().${n}(...args);`);
      return { contents: `let m;\nconst load = () => (m ??= require(${JSON.stringify(args.path)}));\n${lines.join('\n')}\n`, loader: 'js' };
    });
  },
};

const importMeta = {
  name: 'import-meta-in-place',
  setup(build) {
    build.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (args) => {
      const text = bundledSqlite(args.path, readFileSync(args.path, 'utf8'));
      return { contents: text.includes('import.meta') ? text.replace(/\bimport\.meta\b/g, importMetaOf(args.path)) : text, loader: 'js' };
    });
  },
};

const tmp = join(ROOT, 'dist', `.vtg-bundle.${process.pid}.tmp`);
const warnings = [];
for (const [name, entry] of Object.entries(BUNDLES)) {
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: join(tmp, name),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external,
    // smaller to read; names stay (errors take their name from their class)
    minifyWhitespace: true,
    minifySyntax: true,
    banner: { js: BANNER },
    footer: { js: '})' },
    plugins: [importMeta, lazyChildProcess, lazyBuiltins],
    logLevel: 'warning',
  });
  warnings.push(...result.warnings);
}
// warnings are errors: a module the bundle cannot place would fail at run time instead
if (warnings.length > 0) {
  rmSync(tmp, { recursive: true, force: true });
  console.error(`build-cli: ${warnings.length} warning(s); the bundles were not written`);
  process.exit(1);
}
// new bundles start without code caches (bin/vtg.js writes them on first use)
rmSync(OUT_DIR, { recursive: true, force: true });
mkdirSync(OUT_DIR, { recursive: true });
for (const name of Object.keys(BUNDLES)) renameSync(join(tmp, name), join(OUT_DIR, name));
rmSync(tmp, { recursive: true, force: true });
