/**
 * `vtg lookup` starts from a bundle of its own (dist/cli-bundle/lookup.cjs, picked by bin/vtg.js).
 * Whatever it starts from, the same command lines print the same thing and exit the same: the
 * lookup bundle, the full bundle (VTG_CLI_BUNDLE=full) and dist/ (VTG_CLI_BUNDLE=off), each on its
 * own data dir against one simulator (a miss goes upstream; the next run answers from the cache).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type MockServer, startMock } from '../mock/index.js';
import { ensureBuilt, type RunResult, runVtg, type Sandbox, sandbox } from './test-support/harness.js';

const MODES = { lookup: {}, full: { VTG_CLI_BUNDLE: 'full' }, dist: { VTG_CLI_BUNDLE: 'off' } } as const;
type Mode = keyof typeof MODES;

let box: Sandbox;
let mock: MockServer;

before(async () => {
  ensureBuilt();
  box = sandbox();
  mock = await startMock({ profile: 'premium' });
});

after(async () => {
  await mock?.close();
  box?.remove();
});

/** Ages and fetch times differ between the runs; everything else must not. */
function normal(r: RunResult): RunResult {
  const clean = (s: string) =>
    s
      .replace(/"(ageMs|fetchedAt)": ?\d+/g, '"$1": 0')
      .replace(/\b(cache|stale) \d+[smhd]\b/g, '$1 <age>')
      .replace(/,(upstream|cache),\d+$/gm, ',$1,<age>');
  return { ...r, stdout: clean(r.stdout), stderr: clean(r.stderr) };
}

/** Runs the same command lines in order in every mode (each mode on its data dir); returns the results per mode. */
async function inEveryMode(lines: string[][], env: Record<string, string>, name: string): Promise<Record<Mode, RunResult[]>> {
  const out = {} as Record<Mode, RunResult[]>;
  for (const mode of Object.keys(MODES) as Mode[]) {
    out[mode] = [];
    for (const args of lines) out[mode].push(normal(await runVtg(args, box.env({ ...env, ...MODES[mode], VTG_DATA_DIR: join(box.dir, `${name}-${mode}`) }))));
  }
  return out;
}

function assertSame(results: Record<Mode, RunResult[]>, lines: string[][]): void {
  lines.forEach((args, i) => {
    const [lookup, full, dist] = [results.lookup[i], results.full[i], results.dist[i]];
    assert.deepEqual(lookup, full, `vtg ${args.join(' ')}: the lookup bundle and the full bundle differ`);
    assert.deepEqual(lookup, dist, `vtg ${args.join(' ')}: the lookup bundle and dist/ differ`);
  });
}

describe('the lookup bundle answers as the full CLI does', () => {
  test('with a key: a miss, the cached answer (table, JSON, CSV), a bad hash, usage errors, help', async () => {
    const lines = [
      ['lookup', 'example.com'],
      ['lookup', 'example.com'],
      ['lookup', 'example.com', '--json'],
      ['--csv', 'l', '44d88612fea8a8f36de82e1278abb02f'],
      ['lookup', '44d88612fea8a8f36de82e1278abb02f', '--cache-only', '--no-stale', '--ndjson', '-q'],
      ['lookup', '44d88612fea8a8f36de82e1278abb02'],
      ['lookup', 'example.com', '44d88612fea8a8f36de82e1278abb02'],
      ['lookup', 'never-looked-up.example', '--cache-only'],
      ['lookup'],
      ['lookup', 'example.com', '--fields', 'indicator,bogus'],
      ['lookup', 'example.com', '--bogus-flag'],
      ['lookup', '--help'],
      ['--help'],
    ];
    const env = { VT_API_KEY: 'lookup-bundle-test-key-0123456789abcdef', VTG_VIRUSTOTAL_URL: mock.url };
    const before = mock.stats().byEndpoint['GET /domains/{domain}'] ?? 0;
    const results = await inEveryMode(lines, env, 'key');
    assertSame(results, lines);
    // what the runs did, so the comparison means something
    const [miss, cached, json, csv, ndjson, bad, mixed, notCached, none, fields, flag, lookupHelp, help] = results.lookup as RunResult[];
    assert.equal(miss?.code, 0, miss?.stderr);
    assert.match(miss?.stdout ?? '', /example\.com\s+domain\s+\S+.*upstream/);
    assert.match(cached?.stdout ?? '', /example\.com\s+domain\s+\S+.*cache/);
    assert.equal((JSON.parse(json?.stdout ?? '') as Array<{ source: string }>)[0]?.source, 'cache');
    assert.match(csv?.stdout ?? '', /^indicator,kind,verdict/);
    assert.equal((JSON.parse(ndjson?.stdout ?? '') as { source: string }).source, 'cache');
    assert.equal(ndjson?.stderr, '');
    assert.equal(bad?.code, 2);
    assert.match(bad?.stderr ?? '', /invalid indicator/);
    assert.equal(mixed?.code, 2);
    assert.match(mixed?.stdout ?? '', /example\.com/);
    assert.equal(notCached?.code, 3, notCached?.stderr);
    assert.equal(none?.code, 2);
    assert.equal(fields?.code, 2);
    assert.equal(flag?.code, 2);
    assert.match(lookupHelp?.stdout ?? '', /Usage: vtg lookup/);
    for (const name of ['lookup', 'batch', 'serve', 'enrich', 'completion']) assert.match(help?.stdout ?? '', new RegExp(`\\n  ${name}\\b`), `--help lists ${name}`);
    // one upstream call per mode for example.com: the first; the rest came from each mode's cache
    assert.equal((mock.stats().byEndpoint['GET /domains/{domain}'] ?? 0) - before, 3);
  });

  test('in mock mode (no key): the note on stderr, the simulated marker, -q', async () => {
    const lines = [['lookup', '8.8.8.8'], ['lookup', '8.8.8.8'], ['lookup', '8.8.8.8', '--json', '-q']];
    const results = await inEveryMode(lines, {}, 'mock');
    assertSame(results, lines);
    const [first, second, quiet] = results.lookup as RunResult[];
    assert.match(first?.stderr ?? '', /mock mode/);
    assert.match(second?.stdout ?? '', /cache .*simulated/);
    assert.equal(quiet?.stderr, '');
  });
});
