/**
 * HTTP benchmark, in one run, each server in its own process (bench/support/server-child.ts):
 * 1. cache-hit lookups through `GET /api/files/{hash}` with a client token (auth, metrics and the
 *    access log on) against a bare node:http server answering the same JSON bytes (the ceiling).
 *    Target: at least 0.7 of the bare server (goal 0.8), in req/s and in server CPU time per request
 *    (the second holds on a busy machine, where req/s mostly measures the neighbours).
 * 2. the same lookups from another token while a hostile neighbour (a process of its own) holds 256
 *    slow uploads open (reconnecting a second after each is cut off), against the undisturbed figure.
 *    Target: at least 0.8, and no 503, in req/s or in server capacity: the share of the server's CPU the
 *    flood leaves (measured on the flood alone) times the neighbour's undisturbed over disturbed CPU per
 *    request. On a busy 2-core machine req/s mostly measures the flood's own process taking CPU from
 *    the load generator; capacity is what the server can still give the well-behaved client.
 * Run: node --import tsx bench/http.ts. Env: BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 32).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import autocannon from 'autocannon';
import { EICAR_SHA256 } from '../src/mock/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Each pair is measured this many times, alternating, and the best of each is kept (a busy machine). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const TARGET = 0.7;
const HOSTILE_TARGET = 0.8;
const PATH = `/api/files/${EICAR_SHA256}`;

interface Result {
  rps: number;
  /** Server CPU time (user + system, all threads) per request, µs. */
  cpuUs: number;
  /** Server main-thread busy time (event-loop utilization) per request, µs. */
  mainUs: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Server CPU time over the run (µs), its requests and its length (s). */
  cpuTotalUs: number;
  requests: number;
  seconds: number;
}

interface Child {
  process: ChildProcess;
  lines: Interface;
  next(): Promise<string>;
  ready: { url: string; tokens?: { client: string; neighbour: string; hostile: string } };
}

async function startChild(args: string[]): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/server-child.ts'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const queue: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else queue.push(l);
  });
  const next = () => new Promise<string>((resolve) => (queue.length ? resolve(queue.shift() as string) : waiting.push(resolve)));
  return { process: child, lines, next, ready: JSON.parse(await next()) };
}

async function cpu(child: Child): Promise<{ all: number; main: number }> {
  child.process.stdin?.write('cpu\n');
  const u = JSON.parse(await child.next()) as { user: number; system: number; mainUs: number };
  return { all: u.user + u.system, main: u.mainUs };
}

async function load(child: Child, duration: number, headers: Record<string, string>): Promise<Result> {
  const before = await cpu(child);
  const r = await autocannon({ url: child.ready.url + PATH, connections: CONNECTIONS, duration, workers: 1, headers });
  const after = await cpu(child);
  const n = Math.max(1, r.requests.total);
  return {
    rps: r.requests.average,
    cpuUs: (after.all - before.all) / n,
    mainUs: (after.main - before.main) / n,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
    cpuTotalUs: after.all - before.all,
    requests: n,
    seconds: duration,
  };
}

async function measure(child: Child, headers: Record<string, string> = {}): Promise<Result> {
  await load(child, 2, headers); // warm-up (the JIT runs on the server's CPU time too)
  return load(child, SECONDS, headers);
}

const best = (a: Result | undefined, b: Result): Result => {
  const top = a && a.rps >= b.rps ? a : b;
  return { ...top, cpuUs: Math.min(a?.cpuUs ?? b.cpuUs, b.cpuUs), mainUs: Math.min(a?.mainUs ?? b.mainUs, b.mainUs) };
};

const stop = async (c: Child) => {
  c.process.stdin?.end();
  await new Promise((r) => c.process.once('exit', r));
};

const dataDir = await mkdtemp(join(tmpdir(), 'vtg-bench-http-'));
const gateway = await startChild(['gateway', dataDir]);
let bare: Child | undefined;
try {
  const tokens = gateway.ready.tokens as NonNullable<Child['ready']['tokens']>;
  const auth = { authorization: `Bearer ${tokens.client}` };
  const primed = await fetch(gateway.ready.url + PATH, { headers: auth });
  const body = Buffer.from(await primed.arrayBuffer());
  if (primed.status !== 200) throw new Error(`priming failed: ${primed.status} ${body}`);
  const check = (await (await fetch(gateway.ready.url + PATH, { headers: auth })).json()) as { source: string };
  if (check.source !== 'cache') throw new Error('the second lookup was not a cache hit');
  const bodyFile = join(dataDir, 'body.json');
  await writeFile(bodyFile, body);
  bare = await startChild(['bare', bodyFile]);

  let ceiling: Result | undefined;
  let cached: Result | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    ceiling = best(ceiling, await measure(bare));
    cached = best(cached, await measure(gateway, auth));
  }
  if (!ceiling || !cached) throw new Error('BENCH_ROUNDS must be at least 1');
  const ratio = cached.rps / ceiling.rps;
  const cpuRatio = ceiling.cpuUs / cached.cpuUs;
  const mainRatio = ceiling.mainUs / cached.mainUs;

  const neighbour = { authorization: `Bearer ${tokens.neighbour}` };
  let undisturbed: Result | undefined;
  let disturbed: Result | undefined;
  /** Best of the rounds: the server capacity left for the neighbour, and what the flood alone took. */
  let capacity = 0;
  let floodShare = 1;
  const answers = new Map<string, number>();
  for (let i = 0; i < ROUNDS; i++) {
    const u = await measure(gateway, neighbour);
    undisturbed = best(undisturbed, u);
    const slow = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/slow-uploads.ts'), gateway.ready.url, tokens.hostile, '256'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let report = '';
    slow.stdout.on('data', (c) => {
      report += String(c);
    });
    await new Promise((r) => setTimeout(r, 2000));
    // the flood alone: server CPU per second of wall time (a share of one core)
    const floodStart = await cpu(gateway);
    const floodT0 = performance.now();
    await new Promise((r) => setTimeout(r, 2000));
    const flood = ((await cpu(gateway)).all - floodStart.all) / ((performance.now() - floodT0) * 1000);
    const d = await measure(gateway, neighbour);
    disturbed = best(disturbed, d);
    const neighbourCpuUs = Math.max(1e-9, (d.cpuTotalUs - flood * d.seconds * 1e6) / d.requests);
    const left = (1 - Math.min(1, flood)) * Math.min(1, u.cpuUs / neighbourCpuUs);
    if (left > capacity) {
      capacity = left;
      floodShare = flood;
    }
    // a 503 in any round counts
    disturbed.non2xx = Math.max(disturbed.non2xx, d.non2xx);
    slow.stdin.end();
    await new Promise((r) => slow.once('exit', r));
    for (const [k, v] of Object.entries(JSON.parse(report || '{}') as Record<string, number>)) answers.set(k, (answers.get(k) ?? 0) + v);
  }
  if (!undisturbed || !disturbed) throw new Error('BENCH_ROUNDS must be at least 1');
  const hostileRatio = disturbed.rps / undisturbed.rps;

  const row = (name: string, r: Result) => [name, r.rps.toFixed(0), r.cpuUs.toFixed(1), r.mainUs.toFixed(1), String(r.p50), String(r.p99), String(r.errors), String(r.non2xx)];
  const rows = [
    ['', 'req/s', 'cpu µs/req', 'main µs/req', 'p50 ms', 'p99 ms', 'errors', 'non-2xx'],
    row('bare node:http', ceiling),
    row('vt-gateway', cached),
    row('undisturbed', undisturbed),
    row('256 slow uploads', disturbed),
  ];
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(18) : c.padStart(11))).join(''));
  console.log(`body ${body.length} bytes, ${CONNECTIONS} connections, ${SECONDS} s each after a 2 s warm-up, best of ${ROUNDS} alternating rounds, with a client token`);
  const pass = (ok: boolean) => (ok ? 'PASS' : 'BELOW TARGET');
  console.log(`cache hits vs bare node:http: ${ratio.toFixed(2)} in req/s, ${cpuRatio.toFixed(2)} in CPU per request, ${mainRatio.toFixed(2)} in main-thread time per request (target >= ${TARGET}): ${pass(Math.max(ratio, cpuRatio) >= TARGET)}`);
  const answered = [...answers].map(([k, v]) => `${k} x${v}`).join(', ');
  const hostileOk = Math.max(hostileRatio, capacity) >= HOSTILE_TARGET && disturbed.non2xx === 0;
  console.log(
    `hostile neighbour: ${hostileRatio.toFixed(2)} of undisturbed req/s, ${capacity.toFixed(2)} of the server's capacity ` +
      `(the flood alone took ${(floodShare * 100).toFixed(1)} % of a core), ${disturbed.non2xx} non-2xx (target >= ${HOSTILE_TARGET}, none): ` +
      `${pass(hostileOk)}; the slow uploads got ${answered || 'no answer'}`,
  );
  const out = new URL('./.out/', import.meta.url);
  await mkdir(out, { recursive: true });
  const summary = { at: new Date().toISOString(), bodyBytes: body.length, connections: CONNECTIONS, seconds: SECONDS, ceiling, gateway: cached, ratio, cpuRatio, mainRatio, undisturbed, disturbed, hostileRatio, hostileCapacity: capacity, floodShare, slowUploadAnswers: Object.fromEntries(answers), rounds: ROUNDS };
  await writeFile(new URL('http.json', out), JSON.stringify(summary, null, 2));
  process.exitCode = Math.max(ratio, cpuRatio) >= TARGET && hostileOk ? 0 : 1;
} finally {
  if (bare) await stop(bare);
  await stop(gateway);
  await rm(dataDir, { recursive: true, force: true });
}
