/**
 * bin/vtg.js runs the CLI bundle (scripts/build-cli.mjs) with a V8 code cache beside it, and falls
 * back to dist/ when the bundle is missing, older than dist/ or turned off. Checked on a copy of the
 * built package (bin/, dist/, package.json, node_modules linked), so the shared dist/ is left alone.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_VERSION } from './version.js';
import { ensureBuilt, REPO, runVtg, type Sandbox, sandbox } from './test-support/harness.js';

let box: Sandbox;
let pkg: string;
let bin: string;
let bundleDir: string;

before(() => {
  ensureBuilt();
  box = sandbox();
  pkg = join(box.dir, 'package');
  mkdirSync(pkg);
  // timestamps kept: the bundle must stay newer than dist/ for bin/vtg.js to use it
  cpSync(join(REPO, 'bin'), join(pkg, 'bin'), { recursive: true, preserveTimestamps: true });
  cpSync(join(REPO, 'dist'), join(pkg, 'dist'), { recursive: true, preserveTimestamps: true, filter: (src) => !src.endsWith('.cache') });
  cpSync(join(REPO, 'package.json'), join(pkg, 'package.json'), { preserveTimestamps: true });
  symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'));
  bin = join(pkg, 'bin', 'vtg.js');
  bundleDir = join(pkg, 'dist', 'cli-bundle');
});

after(() => box?.remove());

const caches = () => readdirSync(bundleDir).filter((f) => f.endsWith('.cache'));
const version = () => runVtg(['--version'], box.env(), { bin, cwd: box.dir });

describe('the CLI bundle and its code cache', () => {
  test('the first run writes a code cache beside the bundle; the next run uses it as it is', async () => {
    assert.deepEqual(caches(), []);
    const first = await version();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), CLI_VERSION);
    const [cache] = caches();
    assert.ok(cache, 'a code cache was written');
    const bytes = readFileSync(join(bundleDir, cache));
    const written = statSync(join(bundleDir, cache)).mtimeMs;

    const second = await version();
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), CLI_VERSION);
    // an accepted cache is not written again
    assert.deepEqual(caches(), [cache]);
    assert.equal(statSync(join(bundleDir, cache)).mtimeMs, written);
    assert.deepEqual(readFileSync(join(bundleDir, cache)), bytes);
  });

  test('a cache V8 refuses (damaged, or from another build) is written again, and the command still works', async () => {
    const [cache] = caches();
    assert.ok(cache);
    writeFileSync(join(bundleDir, cache), Buffer.alloc(4096, 7));
    const r = await runVtg(['lookup', '8.8.8.8', '--json', '-q'], box.env(), { bin, cwd: box.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Array<{ indicator: string }>)[0]?.indicator, '8.8.8.8');
    assert.notDeepEqual(readFileSync(join(bundleDir, cache)), Buffer.alloc(4096, 7));
  });

  test('a bundle older than dist/ (a build by tsc alone) is not run, nor one turned off with VTG_CLI_BUNDLE=off: dist/ runs', async () => {
    const bundle = join(bundleDir, 'vtg.cjs');
    const main = join(pkg, 'dist', 'cli', 'main.js');
    // a stand-in bundle that says so when it runs
    writeFileSync(bundle, `(function (exports, require, module) { module.exports = { run: async () => { process.stdout.write('from the bundle\\n'); return 0; } }; })\n`);
    const fresh = await version();
    assert.equal(fresh.stdout.trim(), 'from the bundle');

    const off = await runVtg(['--version'], box.env({ VTG_CLI_BUNDLE: 'off' }), { bin, cwd: box.dir });
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout.trim(), CLI_VERSION);

    const old = new Date(statSync(main).mtimeMs - 60_000);
    utimesSync(bundle, old, old);
    const stale = await version();
    assert.equal(stale.code, 0, stale.stderr);
    assert.equal(stale.stdout.trim(), CLI_VERSION);

    rmSync(bundle);
    const missing = await version();
    assert.equal(missing.code, 0, missing.stderr);
    assert.equal(missing.stdout.trim(), CLI_VERSION);
  });
});
