// The hand-built access line: the same JSON pino wrote before, scrubbed the same way, and only at info level.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../config/index.js';
import { Gateway } from '../../gateway/index.js';
import { lineAccessLog, pinoAccessLog, type RequestRecord, requestIdOf } from './access-log.js';
import { LogBuffer } from './log-buffer.js';
import { buildApp } from '../app.js';
import { createLogger, createScrubber } from '../logging.js';
import { isolatedEnv, logCapture } from '../test-support/harness.js';
import { FAKE_VT_KEY } from '../test-support/upstream.js';
import { until } from '../../test-support/until.js';

/** Lines written once per event-loop turn (the buffer's own tests are log-buffer.test.ts). */
const perTurn = (stream: NodeJS.WritableStream) => new LogBuffer(stream, { flushMs: 0 });

let gateway: Gateway;
let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vtg-access-log-'));
  gateway = await Gateway.open({ config: loadConfig({ env: isolatedEnv(dataDir), overrides: { dataDir } }) });
});
after(async () => {
  await gateway?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const TOKEN = `vtg_${'A'.repeat(43)}`;
const LEAKY = Object.freeze({ tokenId: 't2', name: `pasted ${TOKEN} and ${FAKE_VT_KEY}`, role: 'reader' as const, dailyBudget: null });
const records: RequestRecord[] = [
  { requestId: 'req-1', method: 'GET', path: '/api/files/abc', route: '/api/files/:hash', status: 200, seconds: 0.00123456, principal: undefined },
  {
    requestId: 'f0b1c2d3-0000-4000-8000-000000000000',
    method: 'POST',
    path: '/api/lookup?q="quoted"\\back\u00e9\u0001',
    route: 'unmatched',
    status: 429,
    seconds: 1.5,
    principal: { tokenId: 't1', name: 'ops "team" \u00e9', role: 'analyst', dailyBudget: 5 },
  },
  { requestId: 'r3', method: 'POST', path: '/api/v3/_upload/one-time-secret', route: '/api/v3/_upload/:token', status: 200, seconds: 2, principal: undefined },
  { requestId: 'r4', method: 'GET', path: `/api/x/${FAKE_VT_KEY}/${encodeURIComponent(FAKE_VT_KEY)}/${TOKEN}`, route: 'unmatched', status: 404, seconds: 0, principal: undefined },
  // a client's request id and a token's name are scrubbed too (the name once per frozen principal: twice here)
  { requestId: FAKE_VT_KEY, method: 'GET', path: '/api/health', route: '/api/health', status: 200, seconds: 0.0004, principal: LEAKY },
  { requestId: `x.${TOKEN}`, method: 'GET', path: '/api/health', route: '/api/health', status: 200, seconds: 12.34567, principal: LEAKY },
];

test('each line is the JSON line pino wrote, secrets and tokens scrubbed', async () => {
  const byHand = logCapture();
  const byPino = logCapture();
  const write = lineAccessLog(perTurn(byHand.stream), createScrubber([FAKE_VT_KEY]), () => true);
  const pinoWrite = pinoAccessLog(createLogger({ secrets: [FAKE_VT_KEY], stream: byPino.stream }));
  for (const r of records) {
    write(r);
    pinoWrite(r);
  }
  await new Promise((r) => setImmediate(r)); // the lines of one event-loop turn go out together
  assert.equal(byHand.lines.length, records.length);
  for (const [i, line] of byHand.lines.entries()) {
    const ours = JSON.parse(line);
    const theirs = JSON.parse(byPino.lines[i] as string);
    assert.ok(Math.abs(ours.time - theirs.time) < 60_000);
    assert.deepEqual({ ...ours, time: 0 }, { ...theirs, time: 0 }, line);
    assert.deepEqual(Object.keys(ours), Object.keys(theirs), 'same fields in the same order');
  }
  const all = byHand.lines.join('\n');
  assert.doesNotMatch(all, /one-time-secret/);
  assert.ok(!all.includes(FAKE_VT_KEY) && !all.includes(encodeURIComponent(FAKE_VT_KEY)) && !all.includes(TOKEN));
  assert.equal(JSON.parse(byHand.lines[3] as string).path, '/api/x/[redacted]/[redacted]/vtg_[redacted]');
  assert.equal(JSON.parse(byHand.lines[0] as string).ms, 1.2);
  assert.equal(JSON.parse(byHand.lines[4] as string).client, 'pasted vtg_[redacted] and [redacted]');
  assert.equal(JSON.parse(byHand.lines[5] as string).reqId, 'x.vtg_[redacted]');
  // a path's field given by the caller (remembered per path) is the one the line would carry
  const again = logCapture();
  const log = lineAccessLog(perTurn(again.stream), createScrubber([FAKE_VT_KEY]), () => true);
  const leaky = records[3] as RequestRecord;
  log({ ...leaky, pathJson: log.pathJson?.(leaky.path) as string });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(JSON.parse(again.lines[0] as string).path, JSON.parse(byHand.lines[3] as string).path);
  // fields given by the caller (remembered per request shape, ASCII only) make the same lines; a batch of
  // ASCII lines (written as latin1) and a batch of one line with non-ASCII text (UTF-8) read back as built
  for (const batch of [records.filter((_, i) => i !== 1), [records[1] as RequestRecord]]) {
    const remembered = logCapture();
    const rlog = lineAccessLog(perTurn(remembered.stream), createScrubber([FAKE_VT_KEY]), () => true);
    for (const r of batch) rlog({ ...r, fields: rlog.fields?.(r.method, r.path, r.route, r.status) });
    await new Promise((r) => setImmediate(r));
    assert.equal(remembered.lines.length, batch.length);
    for (const [i, line] of remembered.lines.entries()) {
      const expected = byHand.lines[records.indexOf(batch[i] as RequestRecord)] as string;
      assert.deepEqual({ ...JSON.parse(line), time: 0 }, { ...JSON.parse(expected), time: 0 });
    }
  }
  assert.equal(lineAccessLog(perTurn(logCapture().stream), (l) => l, () => true).fields?.('POST', '/api/lookup/\u00e9', 'unmatched', 400), undefined, 'not ASCII: not remembered');
});

test('fresh request ids keep the UUID shape and count up, past the 4096 boundary too', () => {
  const ids = Array.from({ length: 9000 }, () => requestIdOf(undefined));
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const counters = ids.map((id) => Number.parseInt(id.slice(24), 16));
  for (let i = 1; i < counters.length; i++) assert.equal(counters[i], (counters[i - 1] as number) + 1);
  assert.equal(new Set(ids.map((id) => id.slice(0, 24))).size, 1, 'one prefix per process');
  assert.equal(requestIdOf('client-id.1'), 'client-id.1');
  assert.notEqual(requestIdOf('bad id'), 'bad id');
});

test('the service writes one access line per request with its id, and none when the log level is above info', async () => {
  const capture = logCapture();
  const { app, deps, flushLogs } = buildApp(gateway, { logStream: capture.stream });
  await app.request('/api/health', { headers: { 'x-request-id': 'req-a' } });
  // held up to the flush interval (100 ms by default): wait for it
  const lines = (await until(() => capture.lines.length > 0 && capture.lines)).map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].msg, 'request');
  assert.equal(lines[0].reqId, 'req-a');
  assert.equal(lines[0].route, '/api/health');
  deps.logger.level = 'warn';
  await app.request('/api/health');
  flushLogs();
  assert.equal(capture.lines.length, 1, 'no access line at warn');
  deps.deadlines.stop();
});
