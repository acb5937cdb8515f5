/**
 * Cluster benchmark, in one run: cache-hit lookups (`GET /api/files/{hash}`) through a round-robin
 * TCP balancer on loopback, first with one `vtg serve` instance behind it, then with three (one
 * Redis, one shared SQLite data dir). Prints both rates and the scaling ratio (three / one).
 * On a machine with fewer cores than instances + balancer + load generator the ratio measures the
 * cores, not the gateway: say how many there were with the figure.
 * Run: node --import tsx bench/cluster.ts. Env: BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 48).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { createConnection, createServer, type Server } from 'node:net';
import autocannon from 'autocannon';
import { TestCluster } from '../src/cluster/test-support/harness.js';
import { EICAR_SHA256, startMock } from '../src/mock/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 48);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PATH = `/api/files/${EICAR_SHA256}`;

/** A round-robin TCP balancer: each new connection goes to the next backend port. */
async function balancer(ports: () => number[]): Promise<{ url: string; server: Server }> {
  let next = 0;
  const server = createServer((client) => {
    const list = ports();
    const upstream = createConnection({ host: '127.0.0.1', port: list[next++ % list.length] as number });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, server };
}

async function rate(url: string, duration: number): Promise<{ rps: number; p99: number; errors: number; non2xx: number }> {
  const r = await autocannon({ url: url + PATH, connections: CONNECTIONS, duration, workers: 1 });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

type Rate = Awaited<ReturnType<typeof rate>>;
const best = (a: Rate | undefined, b: Rate): Rate => (a && a.rps >= b.rps ? a : b);

const mock = await startMock({ profile: 'premium' });
const cluster = await TestCluster.start({ upstream: mock, limits: 'minute=1000,hour=60000,day=1000000,month=30000000', instances: 3 });
let backends = [cluster.instances[0]?.port as number];
const lb = await balancer(() => backends);
try {
  // one upstream call fills the shared tiers; each instance's first hit copies it into its memory
  for (const inst of cluster.instances) {
    const r = await fetch(inst.url + PATH);
    if (r.status !== 200) throw new Error(`priming ${inst.id} failed: ${r.status}`);
  }
  // every instance gets the same JIT warm-up, so the three-instance rounds do not measure cold code
  for (const inst of cluster.instances) await rate(inst.url, 2);
  const load = loadavg()[0]?.toFixed(1);
  // alternating rounds, best of each: the neighbours' load moves while we measure
  let one: Awaited<ReturnType<typeof rate>> | undefined;
  let three: Awaited<ReturnType<typeof rate>> | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    backends = [cluster.instances[0]?.port as number];
    await rate(lb.url, 2); // warm-up
    one = best(one, await rate(lb.url, SECONDS));
    backends = cluster.instances.map((i) => i.port);
    await rate(lb.url, 2);
    three = best(three, await rate(lb.url, SECONDS));
  }
  if (!one || !three) throw new Error('BENCH_ROUNDS must be at least 1');
  const tiers = await Promise.all(cluster.instances.map(async (i) => ((await (await fetch(`${i.url}/api/stats`)).json()) as { cache: { hits: Record<string, number> } }).cache.hits));
  const ratio = three.rps / one.rps;
  const rows = [
    ['', 'req/s', 'p99 ms', 'errors', 'non-2xx'],
    ['1 instance', one.rps.toFixed(0), String(one.p99), String(one.errors), String(one.non2xx)],
    ['3 instances', three.rps.toFixed(0), String(three.p99), String(three.errors), String(three.non2xx)],
  ];
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(10))).join(''));
  console.log(`cache hits by tier per instance: ${tiers.map((t) => JSON.stringify(t)).join(' ')}`);
  console.log(`scaling ratio (3 / 1): ${ratio.toFixed(2)}; ${availableParallelism()} cores, load average ${load} at the start; ${CONNECTIONS} connections, ${SECONDS} s each after a 2 s warm-up, best of ${ROUNDS} alternating rounds, through a round-robin TCP balancer on loopback`);
  const out = new URL('./.out/', import.meta.url);
  await mkdir(out, { recursive: true });
  await writeFile(new URL('cluster.json', out), JSON.stringify({ at: new Date().toISOString(), cores: availableParallelism(), load, connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, one, three, ratio }, null, 2));
  process.exitCode = one.errors + three.errors + one.non2xx + three.non2xx === 0 ? 0 : 1;
} finally {
  lb.server.close();
  await cluster.close();
  await mock.close();
}
