// A batch survives SIGKILL of the server process: after a restart on the same data dir it completes,
// and the upstream saw every indicator exactly once.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { MockServer } from '../mock/index.js';
import { call, isolatedEnv, until } from './test-support/harness.js';
import { startUpstream, upstreamCalls, upstreamEnv } from './test-support/upstream.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of cleanups.reverse()) await f();
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function startChild(dataDir: string, port: number, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/http/test-support/serve.ts', dataDir, String(port)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (c) => {
    stderr = (stderr + c).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 30_000);
    child.stdout?.on('data', (c) => {
      out += c;
      const m = /listening (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return { child, url };
}

test('a batch resumes after the server process is SIGKILLed and fetches no answered indicator twice', async () => {
  const mock: MockServer = await startUpstream();
  cleanups.push(() => mock.close());
  const dataDir = await mkdtemp(join(tmpdir(), 'vtg-resume-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  // 4 upstream calls a second, one at a time: the batch takes a few seconds and there is a quiet gap between calls
  const env = { PATH: process.env.PATH, ...isolatedEnv(dataDir, upstreamEnv(mock, { VTG_VT_LIMITS: 'rate=4,burst=1,day=100000,month=1000000' })) };
  const port = await freePort();

  const first = await startChild(dataDir, port, env);
  const indicators = Array.from({ length: 12 }, (_, i) => `resume-${i}.example.com`);
  const created = await call(first.url, '/api/batch', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ indicators }),
  });
  assert.equal(created.status, 202, created.text);
  const id = created.body.job.id as string;

  const seen = await until(async () => {
    const r = await call(first.url, `/api/batch/${id}`);
    return r.body.job.done >= 3 ? r.body.job : undefined;
  }, 20_000, 10);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  assert.ok(seen.done < indicators.length, 'killed mid-batch');

  const second = await startChild(dataDir, port, env);
  const done = await until(async () => {
    const r = await call(second.url, `/api/batch/${id}`);
    return r.body.job.status === 'completed' ? r.body.job : undefined;
  }, 30_000, 50);
  assert.equal(done.total, indicators.length);
  assert.equal(done.done, indicators.length);
  assert.equal(done.failed, 0);

  const results = await call(second.url, `/api/batch/${id}/results`);
  const items = results.text.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(items.map((i) => i.input), indicators);
  assert.ok(items.every((i) => i.status === 'done' && i.source === 'upstream'));
  // On a busy machine the kill can land while the next call is in flight (its answer is lost with
  // the process): that one call may be repeated, nothing that was answered is fetched again.
  const calls = upstreamCalls(mock, 'GET /domains/{domain}');
  assert.ok(calls >= indicators.length && calls <= indicators.length + 1, `every indicator fetched once (the one in flight at the kill at most twice): ${calls} calls`);

  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
  assert.equal(second.child.exitCode, 0, 'SIGTERM stops the server cleanly');
});
