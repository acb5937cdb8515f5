#!/usr/bin/env node
// Entry point for the `vtg` command (built by `npm install` via `prepare`, or `npm run build`).
// CommonJS (bin/package.json says so): a CommonJS entry starts a few milliseconds sooner.
//
// It runs the CLI bundle, dist/cli-bundle/vtg.cjs (one file instead of ~130 modules), with a V8 code
// cache kept beside it, so a command starts without compiling what it ran last time. The cache is
// written after the first two runs of each bundle and Node version (only where the bundle's folder
// is writable); V8 refuses a cache that does not match and it is written again. `vtg lookup` (or `l`)
// starts from a smaller bundle of its own, dist/cli-bundle/lookup.cjs, which holds no other command;
// it answers undefined for a command line that is not a lookup after all, and vtg.cjs runs it.
// VTG_CLI_BUNDLE=full runs every command from vtg.cjs. Without a bundle, or with one older than dist/
// (a build by tsc alone), or with VTG_CLI_BUNDLE=off, it runs dist/ directly.
'use strict';
const { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { constants, Script } = require('node:vm');

const DIST = join(__dirname, '..', 'dist');
const MAIN = join(DIST, 'cli', 'main.js');
const BUNDLE_DIR = join(DIST, 'cli-bundle');
const BUNDLE = join(BUNDLE_DIR, 'vtg.cjs');
const LOOKUP_BUNDLE = join(BUNDLE_DIR, 'lookup.cjs');
const LOOKUP_NAMES = ['lookup', 'l'];

/** The program's options that take a value (program.ts; cli-bundle.test.ts compares the two lists). */
const VALUE_OPTIONS = ['--data-dir', '--database', '--config', '--server', '--fields', '--progress-interval'];

/** The first operand of `argv` (the command's name), skipping the global options and their values. */
function firstOperand(argv) {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-') || arg === '-') return arg;
    if (VALUE_OPTIONS.includes(arg)) i++;
  }
  return undefined;
}

/** The stat of a bundle `file` when it is there and not older than dist/cli/main.js. */
function bundle(file) {
  if (process.env.VTG_CLI_BUNDLE === 'off') return undefined;
  try {
    const b = statSync(file);
    return b.mtimeMs >= statSync(MAIN).mtimeMs ? b : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Compiles and runs the bundle with its code cache; returns its exports and a function that saves the
 * cache when it was missing or refused. The bundle is one function expression (the CommonJS wrapper
 * is in the file, so its source is not copied to wrap it) and ASCII (esbuild escapes the rest), read
 * as latin1 into a one-byte string.
 */
function loadBundle(file, stat) {
  const base = `${file}.${stat.size}-${Math.trunc(stat.mtimeMs)}.${process.version}-${process.arch}`;
  // written in two steps: after the first run (`.first.cache`), then once more after the next run,
  // which adds what that one compiled (a first lookup is usually a miss; the next ones, hits)
  const finalCache = `${base}.cache`;
  const firstCache = `${base}.first.cache`;
  let cachedData;
  let loaded;
  for (const candidate of [finalCache, firstCache]) {
    try {
      cachedData = readFileSync(candidate);
      loaded = candidate;
      break;
    } catch {}
  }
  const script = new Script(readFileSync(file, 'latin1'), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const bundled = { exports: {} };
  script.runInThisContext().call(bundled.exports, bundled.exports, require('node:module').createRequire(file), bundled, file, BUNDLE_DIR);
  const save = () => {
    const accepted = cachedData !== undefined && !script.cachedDataRejected;
    if (accepted && loaded === finalCache) return;
    // a cache V8 refused goes, so the next run does not read it again
    if (!accepted && loaded) rmSync(loaded, { force: true });
    const target = accepted ? finalCache : firstCache;
    const tmp = `${target}.${process.pid}`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, target);
      if (target === finalCache) rmSync(firstCache, { force: true });
    } catch {
      // a read-only install runs without a cache
      rmSync(tmp, { force: true });
    }
  };
  return { cli: bundled.exports, save };
}

async function main() {
  const argv = process.argv.slice(2);
  const lookup = process.env.VTG_CLI_BUNDLE !== 'full' && LOOKUP_NAMES.includes(firstOperand(argv)) ? bundle(LOOKUP_BUNDLE) : undefined;
  if (lookup) {
    const { cli, save } = loadBundle(LOOKUP_BUNDLE, lookup);
    const running = cli.run(argv);
    if (running !== undefined) {
      process.exitCode = await running;
      save();
      return;
    }
  }
  const stat = bundle(BUNDLE);
  if (stat) {
    const { cli, save } = loadBundle(BUNDLE, stat);
    process.exitCode = await cli.run(argv);
    save();
    return;
  }
  if (!existsSync(MAIN)) {
    process.stderr.write('vtg: the build output is missing; run `npm install` (or `npm run build`) in the project first.\n');
    process.exit(2);
  }
  const { run } = await import(pathToFileURL(MAIN).href);
  process.exitCode = await run(argv);
}

if (require.main === module) void main();
// for cli-bundle.test.ts
else module.exports = { firstOperand, VALUE_OPTIONS };
