#!/usr/bin/env node
// Entry point for the `vtg` command (built by `npm install` via `prepare`, or `npm run build`).
// CommonJS (bin/package.json says so): a CommonJS entry starts a few milliseconds sooner.
//
// It runs the CLI bundle, dist/cli-bundle/vtg.cjs (one file instead of ~130 modules), with a V8 code
// cache kept beside it, so a command starts without compiling what it ran last time. The cache is
// written after the first run of each bundle and Node version (only where the bundle's folder is
// writable); V8 refuses a cache that does not match and it is written again. Without a bundle, or
// with one older than dist/ (a build by tsc alone), or with VTG_CLI_BUNDLE=off, it runs dist/ directly.
'use strict';
const { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { constants, Script } = require('node:vm');

const DIST = join(__dirname, '..', 'dist');
const MAIN = join(DIST, 'cli', 'main.js');
const BUNDLE_DIR = join(DIST, 'cli-bundle');
const BUNDLE = join(BUNDLE_DIR, 'vtg.cjs');

/** The bundle's stat when it is there and not older than dist/cli/main.js. */
function bundle() {
  if (process.env.VTG_CLI_BUNDLE === 'off') return undefined;
  try {
    const b = statSync(BUNDLE);
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
function loadBundle(stat) {
  const cacheFile = `${BUNDLE}.${stat.size}-${Math.trunc(stat.mtimeMs)}.${process.version}-${process.arch}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {}
  const script = new Script(readFileSync(BUNDLE, 'latin1'), {
    filename: BUNDLE,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const bundled = { exports: {} };
  script.runInThisContext().call(bundled.exports, bundled.exports, require('node:module').createRequire(BUNDLE), bundled, BUNDLE, BUNDLE_DIR);
  const save = () => {
    if (cachedData && !script.cachedDataRejected) return;
    const tmp = `${cacheFile}.${process.pid}`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // a read-only install runs without a cache
      rmSync(tmp, { force: true });
    }
  };
  return { cli: bundled.exports, save };
}

async function main() {
  const stat = bundle();
  if (stat) {
    const { cli, save } = loadBundle(stat);
    process.exitCode = await cli.run(process.argv.slice(2));
    save();
    return;
  }
  if (!existsSync(MAIN)) {
    process.stderr.write('vtg: the build output is missing; run `npm install` (or `npm run build`) in the project first.\n');
    process.exit(2);
  }
  const { run } = await import(pathToFileURL(MAIN).href);
  process.exitCode = await run(process.argv.slice(2));
}

void main();
