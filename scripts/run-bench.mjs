#!/usr/bin/env node
// Runs the benchmarks under bench/ (all, or those named: npm run bench -- cache http).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const names = readdirSync(new URL('../bench/', import.meta.url)).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
const args = process.argv.slice(2);
// Options go through to each benchmark with their values (`--cases replay,open`, `--mb 50`).
const wanted = [];
const passThrough = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a.startsWith('--')) {
    passThrough.push(a);
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('--')) passThrough.push(args[++i]);
  } else if (/^\d/.test(a)) passThrough.push(a);
  else wanted.push(a);
}
const chosen = wanted.length ? names.filter((n) => wanted.includes(n)) : names;
if (chosen.length === 0) {
  console.error(`no such benchmark; available: ${names.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen) {
  console.log(`\n== bench/${name} ==`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...passThrough], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
