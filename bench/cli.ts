/**
 * CLI start-up benchmark: a cached `vtg lookup <hash>` and `vtg lookup <hash> --json` (the built
 * bin/vtg.js, with a key, against the simulator started here) against `node -e 0`, all measured in
 * this run, interleaved, so the ratio holds on a busy machine. Target: at most 2x `node -e 0` (goal 1.5x).
 * Run: npm run build && node --import tsx bench/cli.ts   (VTG_BENCH_RUNS sets the runs, default 15)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMock } from '../src/mock/index.js';

const RUNS = Number(process.env.VTG_BENCH_RUNS ?? 15);
const BIN = fileURLToPath(new URL('../bin/vtg.js', import.meta.url));
const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
/** The EICAR test file's MD5 (the simulator knows it). */
const INDICATOR = '44d88612fea8a8f36de82e1278abb02f';

/** Wall time of one child run (async: the simulator in this process must keep answering). */
function timeOnce(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${err}`));
      else resolve(ms);
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const line = (label: string, value: string) => console.log(`${label.padEnd(44)} ${value}`);

async function main(): Promise<void> {
  if (!existsSync(MAIN)) {
    console.error('bench/cli measures the built CLI: run `npm run build` first');
    process.exit(2);
  }
  const mock = await startMock({ profile: 'premium' });
  const dir = mkdtempSync(join(tmpdir(), 'vtg-bench-cli-'));
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      VTG_DATA_DIR: join(dir, 'data'),
      VT_API_KEY: 'bench-cli-key-0123456789abcdef0123456789abcdef0123456789abcdef01',
      VTG_VIRUSTOTAL_URL: mock.url,
      VTG_URLHAUS_URL: mock.url,
      VTG_DSHIELD_URL: mock.url,
      VTG_SPUR_URL: mock.url,
    };
    const lookup = [BIN, 'lookup', INDICATOR, '-q'];
    const json = [BIN, 'lookup', INDICATOR, '--json', '-q'];
    await timeOnce(lookup, env); // fills the cache
    const before = mock.stats().total;
    const node: number[] = [];
    const vtg: number[] = [];
    const vtgJson: number[] = [];
    // interleaved, so all see the same load
    for (let i = 0; i < RUNS; i++) {
      node.push(await timeOnce(['-e', '0'], env));
      vtg.push(await timeOnce(lookup, env));
      vtgJson.push(await timeOnce(json, env));
    }
    const lookupsAfterFill = mock.stats().byEndpoint['GET /files/{id}'] ?? 0;
    const n = median(node);
    const v = median(vtg);
    const j = median(vtgJson);
    line('node -e 0 (median)', `${n.toFixed(0)} ms`);
    line('vtg lookup <hash>, cached (median)', `${v.toFixed(0)} ms`);
    line('vtg lookup <hash> --json, cached (median)', `${j.toFixed(0)} ms`);
    line('ratio (target <= 2.0, goal 1.5)', `${(v / n).toFixed(2)}x`);
    line('ratio --json (target <= 2.0, goal 1.5)', `${(j / n).toFixed(2)}x`);
    line('upstream calls during the timed runs', String(mock.stats().total - before));
    if (lookupsAfterFill > 1) console.log(`note: ${lookupsAfterFill} upstream lookups: the runs were not all cached`);
  } finally {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
