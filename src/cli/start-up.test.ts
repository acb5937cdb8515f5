/**
 * A fast start: a cached `vtg lookup` (the built CLI) loads only what it needs. A module-load hook
 * in the child records every module it loads; the heavy ones (HTTP server, Redis, simulator,
 * upstream clients, uploads, zod, undici) must not be among them. Speed itself is measured by
 * bench/cli.ts, not asserted here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type MockServer, startMock } from '../mock/index.js';
import { ensureBuilt, REPO, runVtg, type Sandbox, sandbox } from './test-support/harness.js';

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
  // the hook runs in the loader thread and appends each loaded module's URL to $VTG_TRACE_FILE
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
});

after(async () => {
  await mock?.close();
  box?.remove();
  if (traceDir) rmSync(traceDir, { recursive: true, force: true });
});

/** Runs `vtg` with the load trace on; returns its result and the modules it loaded. */
async function traced(args: string[], env: NodeJS.ProcessEnv, name: string) {
  const file = join(traceDir, `${name}.txt`);
  writeFileSync(file, '');
  const r = await runVtg(args, { ...env, NODE_OPTIONS: `--import=${pathToFileURL(join(traceDir, 'register.mjs')).href}`, VTG_TRACE_FILE: file });
  return { ...r, modules: readFileSync(file, 'utf8').split('\n').filter(Boolean) };
}

function heavyIn(modules: string[]): string[] {
  return Object.entries(HEAVY).flatMap(([what, re]) => {
    const hits = modules.filter((m) => re.test(m));
    return hits.length ? [`${what}: ${hits.slice(0, 3).map((m) => m.replace(pathToFileURL(REPO).href, '')).join(', ')}`] : [];
  });
}

describe('a cached vtg lookup loads only what it needs', () => {
  test('with a key: the first lookup calls VirusTotal; the cached one loads no upstream, server or schema code', async () => {
    const env = box.env({ VT_API_KEY: 'start-up-test-key-0123456789abcdef', VTG_VIRUSTOTAL_URL: mock.url });
    const first = await traced(['lookup', 'example.com'], env, 'key-first');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /example\.com\s+domain\s+\S+.*upstream/);
    // the trace sees the upstream client when it is needed, so the check below means something
    assert.ok(first.modules.some((m) => HEAVY['upstream clients']?.test(m)), 'the first lookup loaded the VirusTotal client');

    const before = mock.stats().total;
    const cached = await traced(['lookup', 'example.com'], env, 'key-cached');
    assert.equal(cached.code, 0, cached.stderr);
    assert.match(cached.stdout, /example\.com\s+domain\s+\S+.*cache/);
    assert.equal(mock.stats().total - before, 0, 'a cached lookup makes no upstream call (not even a quota read)');
    assert.deepEqual(heavyIn(cached.modules), []);
  });

  test('in mock mode: the cached lookup does not start the simulator', async () => {
    const env = box.env();
    const first = await traced(['lookup', '8.8.8.8'], env, 'mock-first');
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.modules.some((m) => HEAVY.simulator?.test(m)), 'the first lookup started the simulator');
    const cached = await traced(['lookup', '8.8.8.8', '--json'], env, 'mock-cached');
    assert.equal(cached.code, 0, cached.stderr);
    assert.equal((JSON.parse(cached.stdout) as Array<{ source: string }>)[0]?.source, 'cache');
    assert.deepEqual(heavyIn(cached.modules), []);
  });

  test('a config file is still validated (zod loads only then) and its mistakes are named', async () => {
    const file = join(box.dir, 'bad-config.json');
    writeFileSync(file, JSON.stringify({ scheduler: { concurrency: 'four' } }), { mode: 0o600 });
    const r = await runVtg(['lookup', 'example.com', '--config', file], box.env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config file .*bad-config\.json is invalid/);
    assert.match(r.stderr, /scheduler\.concurrency/);
  });
});
