/**
 * A server under test in its own process, so the benchmark can read its CPU time alone (the load
 * generator and the rest of a busy machine do not count): `server-child.ts gateway <dataDir>` or
 * `server-child.ts bare <bodyFile>`. Prints one JSON line `{url, tokens?}` once listening; then
 * answers each `cpu` line on stdin with `{"user":µs,"system":µs}`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/index.js';
import { Gateway } from '../../src/gateway/index.js';
import { startServer } from '../../src/http/index.js';

const [mode, arg] = process.argv.slice(2);
if ((mode !== 'gateway' && mode !== 'bare') || !arg) {
  process.stderr.write('usage: server-child.ts gateway <dataDir> | bare <bodyFile>\n');
  process.exit(2);
}

let ready: Record<string, unknown>;
let stop: () => Promise<void>;
if (mode === 'bare') {
  const body = readFileSync(arg);
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  ready = { url: `http://127.0.0.1:${(bare.address() as AddressInfo).port}` };
  stop = () => new Promise((r) => bare.close(() => r()));
} else {
  const env = { HOME: arg, XDG_CONFIG_HOME: join(arg, 'config'), VTG_DATA_DIR: arg };
  const gateway = await Gateway.open({ config: loadConfig({ env, overrides: { dataDir: arg, port: 0 } }) });
  // logs are produced as in production (one JSON line per request) but not written to a terminal
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const server = await startServer({ gateway, host: '127.0.0.1', port: 0, logStream: sink });
  const token = async (name: string) => (await gateway.tokens.create({ name, role: 'analyst' })).token;
  const tokens = process.env.BENCH_TOKEN === '0' ? null : { client: await token('bench'), neighbour: await token('bench-neighbour'), hostile: await token('bench-hostile') };
  ready = { url: server.url, tokens };
  stop = async () => {
    await server.close();
    await gateway.close();
  };
}
process.stdout.write(`${JSON.stringify(ready)}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  // CPU time of the whole process, and the main thread's busy time (event-loop utilization)
  if (line === 'cpu') process.stdout.write(`${JSON.stringify({ ...process.cpuUsage(), mainUs: performance.eventLoopUtilization().active * 1000 })}\n`);
});
lines.on('close', () => {
  void stop().then(() => process.exit(0));
});
