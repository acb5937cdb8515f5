/**
 * HTTP benchmark: cache-hit lookups through `GET /api/files/{hash}` against a bare node:http server
 * answering the same JSON (the ceiling). Target: ratio >= 0.5. Run: node --import tsx bench/http.ts
 * Env: BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 32), BENCH_TOKEN=1 (tokens exist and
 * the load sends one, as a shared service runs; default: open mode, no token).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config/index.js';
import { Gateway } from '../src/gateway/index.js';
import { startServer } from '../src/http/index.js';
import { EICAR_SHA256 } from '../src/mock/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WITH_TOKEN = process.env.BENCH_TOKEN === '1';

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, duration: number, headers: Record<string, string>): Promise<Result> {
  // one worker thread: the load generator never shares the server's event loop
  const r = await autocannon({ url, connections: CONNECTIONS, duration, workers: 1, headers });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

async function measure(url: string, headers: Record<string, string> = {}): Promise<Result> {
  await load(url, 1, headers); // warm-up
  return load(url, SECONDS, headers);
}

const dataDir = await mkdtemp(join(tmpdir(), 'vtg-bench-http-'));
const env = { HOME: dataDir, XDG_CONFIG_HOME: join(dataDir, 'config'), VTG_DATA_DIR: dataDir };
const gateway = await Gateway.open({ config: loadConfig({ env, overrides: { dataDir, port: 0 } }) });
// logs are produced as in production (one JSON line per request) but not written to a terminal
const sink = new Writable({ write: (_c, _e, cb) => cb() });
const server = await startServer({ gateway, host: '127.0.0.1', port: 0, logStream: sink });
const auth: Record<string, string> = WITH_TOKEN
  ? { authorization: `Bearer ${gateway.tokens.create({ name: 'bench', role: 'analyst' }).token}` }
  : {};
const path = `/api/files/${EICAR_SHA256}`;
const primed = await fetch(server.url + path, { headers: auth });
const body = await primed.text();
if (primed.status !== 200) throw new Error(`priming failed: ${primed.status} ${body}`);
const check = (await (await fetch(server.url + path, { headers: auth })).json()) as { source: string };
if (check.source !== 'cache') throw new Error('the second lookup was not a cache hit');

const bare = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}${path}`;

try {
  const ceiling = await measure(bareUrl);
  const gatewayResult = await measure(server.url + path, auth);
  const ratio = gatewayResult.rps / ceiling.rps;
  const rows = [
    ['', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx'],
    ['bare node:http', ceiling.rps.toFixed(0), String(ceiling.p50), String(ceiling.p99), String(ceiling.errors), String(ceiling.non2xx)],
    ['vt-gateway', gatewayResult.rps.toFixed(0), String(gatewayResult.p50), String(gatewayResult.p99), String(gatewayResult.errors), String(gatewayResult.non2xx)],
  ];
  for (const row of rows) console.log(row.map((c, i) => (i === 0 ? c.padEnd(16) : c.padStart(9))).join(''));
  console.log(`body ${Buffer.byteLength(body)} bytes, ${CONNECTIONS} connections, ${SECONDS} s each after a 1 s warm-up, ${WITH_TOKEN ? 'with a token' : 'open mode'}`);
  console.log(`ratio ${ratio.toFixed(2)} (target >= 0.5): ${ratio >= 0.5 ? 'PASS' : 'BELOW TARGET'}`);
  const out = new URL('./.out/', import.meta.url);
  await mkdir(out, { recursive: true });
  await writeFile(
    new URL('http.json', out),
    JSON.stringify(
      { at: new Date().toISOString(), bodyBytes: Buffer.byteLength(body), connections: CONNECTIONS, seconds: SECONDS, token: WITH_TOKEN, ceiling, gateway: gatewayResult, ratio },
      null,
      2,
    ),
  );
  process.exitCode = ratio >= 0.5 ? 0 : 1;
} finally {
  await new Promise<void>((r) => bare.close(() => r()));
  await server.close();
  await gateway.close();
  await rm(dataDir, { recursive: true, force: true });
}
