#!/usr/bin/env node
// Runs every *.test.ts under src/ with node's test runner (Node 20 does not expand globs itself).
// Usage: node scripts/run-tests.mjs [path-filter...]
// The per-file timeout (TEST_TIMEOUT_MS, default 15 min) only guards against hangs: a busy machine
// can take minutes over the CLI files, which start dozens of processes.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
const filters = process.argv.slice(2);
const files = walk(join(root, 'src'), []).sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-concurrency=' + (process.env.TEST_CONCURRENCY ?? '2'), '--test-timeout=' + (process.env.TEST_TIMEOUT_MS ?? '900000'), ...files];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
