/**
 * `vtg serve` holds access-log lines for batching (VTG_ACCESS_LOG_FLUSH_MS): a graceful stop (SIGTERM,
 * SIGINT) writes every one of them, in order before the stop line, non-ASCII text intact.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt, runVtg, type Sandbox, sandbox, startVtg } from './test-support/harness.js';

const N = 300;
const NAME = 'café-ü €';
let box: Sandbox;

before(() => {
  ensureBuilt();
  box = sandbox();
});
after(() => box?.remove());

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

for (const [signal, where] of [
  ['SIGTERM', 'log-file'],
  ['SIGINT', 'stdout'],
] as const) {
  test(`${signal} writes every held access line (${N} requests, --${where === 'log-file' ? 'log-file' : 'no log file: stdout'})`, async (t) => {
    const name = `${NAME} ${signal}`;
    const created = await runVtg(['token', 'create', '--name', name, '--role', 'reader', '--json'], box.env());
    assert.equal(created.code, 0, created.stderr);
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    const file = join(box.dir, `serve-${signal}.log`);
    // a minute's interval: only the stop can have written these lines
    const env = box.env({ VTG_ACCESS_LOG_FLUSH_MS: '60000' });
    const live = startVtg(['serve', '--port', '0', ...(where === 'log-file' ? ['--log-file', file] : [])], env);
    t.after(() => live.kill('SIGKILL'));
    await live.waitFor((_o, e) => /listening on http:\/\/127\.0\.0\.1:\d+/.test(e), 30_000);
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(live.stderr())?.[1] as string;
    const ids = new Set<string>();
    for (let i = 0; i < N; i++) {
      const res = await fetch(`${base}/api/health`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': `serve-log-${i}` } });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      ids.add(`serve-log-${i}`);
    }
    live.kill(signal);
    const end = await live.exited;
    assert.equal(end.code, 0, end.stderr);
    const log = jsonLines(where === 'log-file' ? readFileSync(file, 'utf8') : end.stdout);
    const mine = log.filter((l) => l.msg === 'request' && ids.has(l.reqId as string));
    assert.equal(mine.length, N, 'one line per request, none lost');
    assert.deepEqual(
      mine.map((l) => l.reqId),
      [...ids],
      'in the order they were answered',
    );
    for (const l of mine) assert.equal(l.client, name, 'non-ASCII text reads back');
    assert.equal(log[log.length - 1]?.msg, 'vt-gateway stopped', 'the held lines come before the stop line');
  });
}
