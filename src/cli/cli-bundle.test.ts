/**
 * bin/vtg.js runs the CLI bundle (scripts/build-cli.mjs) with a V8 code cache beside it, `vtg lookup`
 * from the lookup bundle, and falls back to dist/ when the bundle is missing, older than dist/ or
 * turned off. Checked on a copy of the built package (bin/, dist/, package.json, node_modules
 * linked), so the shared dist/ is left alone.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CommanderError } from 'commander';
import { CliContext } from './context.js';
import { isLookup } from './lookup-main.js';
import { buildProgram, commandName, globalProgram } from './program.js';
import { COMMANDS } from './registry.js';
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

const caches = (bundle = 'vtg.cjs') => readdirSync(bundleDir).filter((f) => f.startsWith(`${bundle}.`) && f.endsWith('.cache'));
const version = () => runVtg(['--version'], box.env(), { bin, cwd: box.dir });

describe('the CLI bundle and its code cache', () => {
  test('the first run writes a code cache beside the bundle, the second completes it, the third uses it as it is', async () => {
    assert.deepEqual(caches(), []);
    const first = await version();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), CLI_VERSION);
    const [partial] = caches();
    assert.ok(partial?.endsWith('.first.cache'), `a first code cache was written (${partial})`);
    const second = await version();
    assert.equal(second.code, 0, second.stderr);
    const [cache] = caches();
    assert.ok(cache && !cache.endsWith('.first.cache'), `the second run wrote the complete cache in its place (${caches().join(', ')})`);
    assert.equal(caches().length, 1);
    const bytes = readFileSync(join(bundleDir, cache));
    const written = statSync(join(bundleDir, cache)).mtimeMs;

    const third = await version();
    assert.equal(third.code, 0, third.stderr);
    assert.equal(third.stdout.trim(), CLI_VERSION);
    // an accepted complete cache is not written again
    assert.deepEqual(caches(), [cache]);
    assert.equal(statSync(join(bundleDir, cache)).mtimeMs, written);
    assert.deepEqual(readFileSync(join(bundleDir, cache)), bytes);
  });

  test('a cache V8 refuses (damaged, or from another build) is written again, and the command still works', async () => {
    const lookup = () => runVtg(['lookup', '8.8.8.8', '--json', '-q'], box.env(), { bin, cwd: box.dir });
    for (let i = 0; i < 2; i++) {
      const r = await lookup();
      assert.equal(r.code, 0, r.stderr);
    }
    // lookups write the lookup bundle's cache, not the full one's
    assert.equal(caches('lookup.cjs').length, 1);
    assert.ok(!caches('lookup.cjs')[0]?.endsWith('.first.cache'));
    assert.equal(caches().length, 1);
    const damaged = [...caches(), ...caches('lookup.cjs')];
    for (const cache of damaged) writeFileSync(join(bundleDir, cache), Buffer.alloc(4096, 7));
    const r = await lookup();
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Array<{ indicator: string }>)[0]?.indicator, '8.8.8.8');
    const v = await version();
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), CLI_VERSION);
    // the refused caches are gone; a new one is written in two steps again
    for (const cache of damaged) assert.ok(!existsSync(join(bundleDir, cache)), `${cache} removed`);
    assert.equal(caches('lookup.cjs').length, 1);
    assert.equal(caches().length, 1);
    assert.equal((await lookup()).code, 0);
    assert.equal((await version()).code, 0);
    assert.deepEqual([...caches(), ...caches('lookup.cjs')].sort(), [...damaged].sort(), 'the complete caches are back');
    for (const cache of damaged) assert.notDeepEqual(readFileSync(join(bundleDir, cache)), Buffer.alloc(4096, 7), `${cache} written again`);
  });

  test('`vtg lookup` and `vtg l` start from the lookup bundle; help and other commands, VTG_CLI_BUNDLE=full, or a stale lookup bundle use the full one', async () => {
    const lookupBundle = join(bundleDir, 'lookup.cjs');
    const saved = readFileSync(lookupBundle);
    const savedTime = statSync(lookupBundle).mtime;
    // a stand-in that says so; like lookup-main.js, it answers undefined for what is not a lookup
    writeFileSync(
      lookupBundle,
      `(function (exports, require, module) { module.exports = { run: (argv) => argv.includes('--not-mine') ? undefined : (process.stdout.write('from the lookup bundle\\n'), Promise.resolve(0)) }; })\n`,
    );
    try {
      const from = async (args: string[], env: Record<string, string> = {}) => (await runVtg(args, box.env(env), { bin, cwd: box.dir })).stdout;
      assert.equal(await from(['lookup', '8.8.8.8']), 'from the lookup bundle\n');
      assert.equal(await from(['--json', '--data-dir', join(box.dir, 'd'), 'l', '8.8.8.8']), 'from the lookup bundle\n');
      // the full CLI: other commands, help, the bundle declining, VTG_CLI_BUNDLE=full
      assert.match(await from(['help', 'lookup']), /Usage: vtg lookup/);
      assert.match(await from(['--help']), /Commands:[\s\S]*lookup[\s\S]*serve/);
      assert.match(await from(['--fields', 'lookup', 'version']), new RegExp(CLI_VERSION.replace(/\./g, '\\.')));
      assert.match(await from(['lookup', '--help', '--not-mine']), /Usage: vtg lookup/);
      assert.equal(JSON.parse(await from(['lookup', '8.8.8.8', '--json', '-q'], { VTG_CLI_BUNDLE: 'full' }))[0]?.indicator, '8.8.8.8');
      const old = new Date(statSync(join(pkg, 'dist', 'cli', 'main.js')).mtimeMs - 60_000);
      utimesSync(lookupBundle, old, old);
      assert.equal(JSON.parse(await from(['lookup', '8.8.8.8', '--json', '-q']))[0]?.indicator, '8.8.8.8');
    } finally {
      writeFileSync(lookupBundle, saved);
      utimesSync(lookupBundle, savedTime, savedTime);
    }
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

describe('which command line is a lookup', () => {
  test("bin/vtg.js skips the same global options as the program, and reads a command's name as the program does", async () => {
    const binExports = createRequire(import.meta.url)(join(REPO, 'bin', 'vtg.js')) as { firstOperand(argv: string[]): string | undefined; VALUE_OPTIONS: string[] };
    const takesValue = globalProgram(CLI_VERSION)
      .options.filter((o) => o.required || o.optional)
      .flatMap((o) => [o.long, o.short])
      .filter((f): f is string => f !== undefined);
    assert.deepEqual([...binExports.VALUE_OPTIONS].sort(), takesValue.sort());
    const lines = [
      ['lookup', 'x'],
      ['l', 'x'],
      ['--json', 'lookup', 'x'],
      ['--data-dir', 'lookup', 'version'],
      ['--fields', 'a,b', '--config', 'c.json', 'l', '-'],
      ['--progress-interval', '3', '-q', 'lookup'],
      ['--', 'lookup'],
      ['-', 'lookup'],
      ['--help'],
      ['help', 'lookup'],
      ['lookpu', 'x'],
      ['--server=http://x', 'lookup', 'x'],
      [],
    ];
    for (const argv of lines) {
      const program = globalProgram(CLI_VERSION);
      assert.equal(binExports.firstOperand(argv), commandName(program, argv), argv.join(' '));
      assert.equal(isLookup(argv), ['lookup', 'l'].includes(commandName(program, argv) ?? ''), argv.join(' '));
    }
  });

  test('the lookup bundle\'s entry registers the same lookup command as the full tree', async () => {
    const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} };
    const full = await buildProgram(new CliContext(io), '0.0.0', ['--help'], COMMANDS);
    const alone = await buildProgram(new CliContext(io), '0.0.0', ['lookup', 'x'], COMMANDS.filter((e) => e.names.includes('lookup')));
    assert.deepEqual(alone.commands.map((c) => c.name()), ['lookup']);
    const fullLookup = full.commands.find((c) => c.name() === 'lookup');
    assert.deepEqual(alone.commands[0]?.options.map((o) => o.flags), fullLookup?.options.map((o) => o.flags));
    assert.ok(CommanderError);
  });
});
