/**
 * The built `vtg` with a (fake) VirusTotal key against a simulator started here: a batch of 200
 * interrupted with SIGINT and resumed fetches each indicator exactly once, progress shows as a bar on a terminal
 * and as plain lines without one, upstream failures exit 3, and the key never reaches the output.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EICAR_SHA256, type MockServer, startMock } from '../mock/index.js';
import { ensureBuilt, hasScript, runInPty, runVtg, type Sandbox, sandbox, startVtg, transcript } from './test-support/harness.js';

const KEY = 'FAKEKEY-7e57c0de'.repeat(4);

let sim: MockServer;
let box: Sandbox;
let env: NodeJS.ProcessEnv;

function hashes(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => createHash('sha256').update(`${prefix}-${i}`).digest('hex'));
}

function fileLookups(): number {
  return sim.stats().byEndpoint['GET /files/{id}'] ?? 0;
}

before(async () => {
  ensureBuilt();
  // 50 ms per answer: a 200-item batch takes a few seconds, so SIGINT lands mid-way
  sim = await startMock({ profile: 'premium', faults: { latencyMs: 50 }, analysisSteps: { queuedMs: 100, inProgressMs: 100 } });
  box = sandbox();
  env = box.env({
    VT_API_KEY: KEY,
    VTG_VIRUSTOTAL_URL: sim.url,
    VTG_VT_LIMITS: 'minute=100000,hour=1000000,day=1000000,month=10000000',
    VTG_ANALYSIS_POLL: '0.1',
  });
});

after(async () => {
  await sim.close();
  box.remove();
});

describe('vtg against an upstream (simulator) with a key', () => {
  test('a 200-item batch interrupted with SIGINT resumes with --resume; each indicator is fetched upstream exactly once, without listener warnings', async () => {
    const list = hashes('cli-batch', 200);
    const file = join(box.dir, 'iocs.txt');
    writeFileSync(file, `# 200 hashes\n${list.join('\n')}\n`);
    const before = fileLookups();

    const live = startVtg(['batch', file, '--ndjson', '--progress-interval', '0.1'], env);
    const doneSoFar = (stderr: string) => Math.max(0, ...[...stderr.matchAll(/: (\d+)\/200 done/g)].map((m) => Number(m[1])));
    await live.waitFor((_o, e) => doneSoFar(e) >= 30, 60_000);
    live.kill('SIGINT');
    const first = await live.exited;
    assert.equal(first.code, 130, first.stderr);
    const id = /Resume with: vtg batch --resume (\S+)/.exec(first.stderr)?.[1];
    assert.ok(id, first.stderr);
    assert.match(first.stderr, /every finished result is saved/);
    const printedFirst = first.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { indicator: string });
    assert.ok(printedFirst.length >= 30, 'results were printed as they finished');

    const status = await runVtg(['batch', '--status', id, '--json'], env);
    const job = (JSON.parse(status.stdout) as { job: { status: string; done: number; failed: number; total: number } }).job;
    assert.equal(job.status, 'paused');
    assert.ok(job.done < 200, 'the interrupt landed mid-way');
    assert.ok(job.done >= printedFirst.length);
    const callsBeforeResume = fileLookups() - before;
    // every finished item cost one call; calls already granted at the interrupt still finished (and were cached)
    assert.ok(callsBeforeResume >= job.done, `${callsBeforeResume} calls for ${job.done} done`);

    const resumed = await runVtg(['batch', '--resume', id, '--ndjson', '--quiet'], env, { timeoutMs: 120_000 });
    assert.equal(resumed.code, 0, resumed.stderr);
    const results = resumed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { indicator: string; source: string });
    assert.deepEqual(results.map((r) => r.indicator).sort(), [...list].sort(), 'every indicator has exactly one result');
    // 200 distinct hashes the simulator alone can answer, each with a result, in exactly 200 calls:
    // each one was fetched upstream exactly once over both runs (an item whose call finished after the
    // interrupt was answered from the cache on resume)
    assert.equal(fileLookups() - before, 200);
    for (const run of [first, resumed]) assert.ok(!run.stderr.includes('MaxListenersExceededWarning'), run.stderr);

    const final = JSON.parse((await runVtg(['batch', '--status', id, '--json'], env)).stdout) as { job: { status: string; done: number; upstreamCalls: number } };
    assert.deepEqual([final.job.status, final.job.done], ['completed', 200]);
    assert.ok(final.job.upstreamCalls <= 200);
  });

  test('progress is a bar with ETA and quota left on a terminal', { skip: !hasScript() && 'util-linux script is not installed' }, async () => {
    const file = join(box.dir, 'pty.txt');
    writeFileSync(file, `${hashes('cli-pty', 30).join('\n')}\n`);
    const r = await runInPty(['batch', file], env);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /[\u2588\u2591]{10,}/, 'the bar is drawn');
    assert.match(r.stdout, /\d+\/30 \| [\d.-]+\/s \| ETA \S+ \| quota left \d+\/\d+ \w+/);
    assert.match(r.stdout, /\u001b\[1mINDICATOR/, 'a terminal gets colour');
  });

  test('scan url, then analysis --wait in another process, then the verdict', async () => {
    const scan = await runVtg(['scan', 'url', 'https://example.com/dropper.sh', '--json'], env);
    assert.equal(scan.code, 0, scan.stderr);
    const [row] = JSON.parse(scan.stdout) as Array<{ analysisId: string; status: string }>;
    assert.equal(row?.status, 'submitted');
    const a = await runVtg(['analysis', row?.analysisId as string, '--wait', '--timeout', '30'], env);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /status\s+completed/);
    assert.match(a.stdout, /item\s+https:\/\/example\.com\/dropper\.sh/);
    assert.match(a.stdout, /verdict\s+\w+/);
  });

  test('quota exhausted with --no-wait, a cache-only miss and refused credentials all exit 3', async () => {
    const tight = sandbox();
    try {
      const tenv = tight.env({ VT_API_KEY: KEY, VTG_VIRUSTOTAL_URL: sim.url, VTG_VT_LIMITS: 'minute=1,burst=1', VTG_RECONCILE_INTERVAL: '3600' });
      const [a, b] = hashes('cli-quota', 2);
      const r = await runVtg(['lookup', a as string, b as string, '--no-wait', '--concurrency', '1'], tenv);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /quota exhausted/);
      assert.equal(r.stdout.trim().split('\n').length, 2, 'the first indicator was still answered (header + 1 row)');

      const miss = await runVtg(['lookup', (hashes('cli-miss', 1)[0] as string), '--cache-only'], tenv);
      assert.equal(miss.code, 3);
      assert.match(miss.stderr, /not in the cache/);
    } finally {
      tight.remove();
    }
    const locked = await startMock({ keys: ['some-other-key'] });
    try {
      const r = await runVtg(['lookup', EICAR_SHA256], box.env({ VT_API_KEY: KEY, VTG_VIRUSTOTAL_URL: locked.url, VTG_DATA_DIR: join(box.dir, 'locked') }));
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /credential|WrongCredentials|API key/i);
    } finally {
      await locked.close();
    }
  });

  test('quota shows the key label; the banner is absent with a key', async () => {
    const r = await runVtg(['quota'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /key\s+virustotal:vt:[0-9a-f]{12}/);
    assert.ok(!r.stderr.includes('mock mode'));
  });

  test('a key pool: lookups spread over both keys; vtg quota shows each key by label (table, --json, --csv), never the keys', async () => {
    const keyA = 'POOLKEY-A-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    const keyB = 'POOLKEY-B-a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const pool = box.env({
      HOME: join(box.dir, 'pool-home'),
      VTG_DATA_DIR: join(box.dir, 'pool-data'),
      VT_API_KEYS: `soc=${keyA},ir=${keyB}`,
      VTG_KEY_POLICY: 'spread',
      VTG_VIRUSTOTAL_URL: sim.url,
      VTG_VT_LIMITS: 'minute=1000,day=100000,month=1000000',
    });
    for (const d of ['one', 'two']) assert.equal((await runVtg(['lookup', `${d}.pool-cli.example`], pool)).code, 0);
    const table = await runVtg(['quota'], pool);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /key\s+virustotal:pool/);
    assert.match(table.stdout, /^soc\s+in rotation\s+1\/1000/m);
    assert.match(table.stdout, /^ir\s+in rotation\s+1\/1000/m);
    const json = JSON.parse((await runVtg(['quota', '--json'], pool)).stdout);
    assert.deepEqual(json.keys.map((k: { label: string; revoked: boolean }) => [k.label, k.revoked]), [['soc', false], ['ir', false]]);
    const csv = (await runVtg(['quota', '--csv'], pool)).stdout;
    assert.match(csv, /^virustotal,day,1,100000,.*,soc$/m);
    for (const out of [table.stdout, table.stderr, JSON.stringify(json), csv]) assert.ok(!out.includes(keyA) && !out.includes(keyB));
  });

  test('vtg mock runs the simulator until SIGINT and prints how to point vtg at it', async () => {
    const bad = await runVtg(['mock', '--faults', 'latency=fast'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid faults: "latency" needs a whole number/);
    const live = startVtg(['mock', '--port', '0', '--profile', 'public', '--limits', 'minute=2', '--faults', 'latency=1'], env);
    await live.waitFor((o) => /export VTG_SPUR_URL=/.test(o));
    const url = /export VTG_VIRUSTOTAL_URL=(\S+)/.exec(live.stdout())?.[1];
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const stats = await fetch(`${url}/_mock/stats`);
    assert.equal(stats.status, 200);
    const res = await fetch(`${url}/api/v3/files/${EICAR_SHA256}`, { headers: { 'x-apikey': 'anything' } });
    assert.equal(res.status, 200);
    live.kill('SIGINT');
    const end = await live.exited;
    assert.equal(end.code, 0, end.stderr);
  });

  test('nothing any command printed contains the key', () => {
    assert.ok(transcript.length >= 10);
    for (const text of transcript) assert.ok(!text.includes(KEY) && !text.includes(KEY.slice(0, 24)), `leaked key in: ${text.slice(0, 300)}`);
  });
});
