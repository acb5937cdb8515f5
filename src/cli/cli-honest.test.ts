/**
 * Issue #11, honest output: the built `vtg` in embedded mock mode says what is true, exits with
 * the code the help promises, and every command a message suggests works as printed.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createHash } from 'node:crypto';
import { EICAR_MD5, EICAR_SHA1, EICAR_SHA256, mockVerdict } from '../mock/index.js';
import { mockCli, runVtg, startVtg } from './test-support/harness.js';

const cli = mockCli({ cwd: 'sandbox' });
const { vtg } = cli;

describe('honest output', () => {
  test('history of a file is one history whichever of its hashes was looked up', async () => {
    const r = await vtg(['lookup', EICAR_MD5, '-q']);
    assert.equal(r.code, 0, r.stderr);
    for (const hash of [EICAR_SHA256, EICAR_SHA1, EICAR_MD5]) {
      const h = await vtg(['history', hash, '--json', '-q']);
      assert.equal(h.code, 0, h.stderr);
      const doc = JSON.parse(h.stdout) as { observations: unknown[] };
      assert.equal(doc.observations.length, 1, `history ${hash}`);
    }
  });

  test('an unknown --fields name is a usage error listing the valid ones; instants print as dates', async () => {
    for (const mode of [[], ['--json'], ['--csv']]) {
      const r = await vtg(['lookup', EICAR_SHA256, '--fields', 'indicator,bogus', '-q', ...mode]);
      assert.equal(r.code, 2, `${mode.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /unknown field "bogus" in --fields; valid fields: .*indicator.*verdict/);
      assert.equal(r.stdout, '');
    }
    const csv = await vtg(['lookup', EICAR_SHA256, '--fields', 'indicator,fetchedAt', '--csv', '-q']);
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /^indicator,fetchedAt\n[0-9a-f]{64},\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  });

  test('a table with no rows prints nothing on stdout; the note goes to stderr', async () => {
    const r = await vtg(['token', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no tokens/);
  });

  test('-q: stderr is empty unless something failed (no mock-mode note)', async () => {
    const r = await vtg(['lookup', 'example.com', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const bad = await vtg(['lookup', 'not_an_ioc!', '-q']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not_an_ioc!/);
  });

  test('a data dir that cannot be written is a usage error (exit 2) naming the path and the fix', async () => {
    const blocked = join(cli.box.dir, 'blocked');
    mkdirSync(blocked);
    // root ignores modes, so also stand the data dir under a regular file (cannot be a directory)
    writeFileSync(join(blocked, 'file'), '');
    chmodSync(blocked, 0o500);
    try {
      const r = await runVtg(['lookup', 'example.com'], { ...cli.env, VTG_DATA_DIR: join(blocked, 'file', 'data') }, { cwd: cli.box.dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /blocked\/file/);
      assert.match(r.stderr, /--data-dir/);
      assert.doesNotMatch(r.stderr, /EACCES|ENOTDIR|ENOENT/);
    } finally {
      chmodSync(blocked, 0o700);
    }
  });

  test('a data dir that cannot exist (/proc/x) fails at once with exit 2, the path and the fix (it used to spin forever)', async () => {
    // node's recursive mkdir loops on /proc, which answers ENOENT for a new entry under an existing dir
    for (const args of [['lookup', 'example.com', '--data-dir', '/proc/x'], ['--data-dir', '/proc/x/y', 'cache', 'info']]) {
      const r = await runVtg(args, cli.env, { cwd: cli.box.dir, timeoutMs: 30_000 });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /\/proc\/x/);
      assert.match(r.stderr, /--data-dir/);
      assert.doesNotMatch(r.stderr, /EACCES|ENOTDIR|ENOENT|at /);
    }
  });

  test('the serve --host 0.0.0.0 refusal suggests a token command that works as printed', async () => {
    const r = await vtg(['serve', '--host', '0.0.0.0', '--port', '0']);
    assert.equal(r.code, 2, r.stderr);
    const suggested = /\((vtg token create [^)]*)\)/.exec(r.stderr)?.[1];
    assert.ok(suggested, r.stderr);
    const args = suggested.replace(/^vtg /, '').replace('<name>', 'ops').split(' ');
    const made = await vtg([...args, '--json']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /"role": "admin"/);
  });

  test('verdict words are the same everywhere; suspicious engines are shown beside malicious ones', async () => {
    const unknown = Array.from({ length: 1000 }, (_, i) => createHash('sha256').update(`unknown ${i}`).digest('hex')).find((h) => !mockVerdict('file', h).found) as string;
    const r = await vtg(['lookup', 'd41d8cd98f00b204e9800998ecf8427e', unknown, '-q']);
    assert.match(r.stdout, /d41d8cd98f00b204e9800998ecf8427e\s+file\s+suspicious\s+0\/70 \+2 susp/);
    assert.match(r.stdout, new RegExp(`${unknown}\\s+file\\s+not_found`));
    assert.doesNotMatch(r.stdout, /not found/);
  });

  test('batch --list and --status agree on progress; any unique id prefix works, as in git', async () => {
    const r = await vtg(['batch', '-', '--json', '-q'], 'example.com\n8.8.8.8\nexample.org\n');
    assert.equal(r.code, 0, r.stderr);
    const list = await vtg(['batch', '--list', '--json', '-q']);
    const jobs = JSON.parse(list.stdout) as Array<{ id: string; done: number; failed: number; total: number }>;
    const job = jobs[0] as { id: string; done: number; failed: number; total: number };
    const table = await vtg(['batch', '--list', '-q']);
    const shown = new RegExp(`${job.id.slice(0, 8)}\\S*\\s+\\w+\\s+(\\d+/\\d+)`).exec(table.stdout)?.[1];
    for (const prefix of [job.id, job.id.slice(0, 8), job.id.slice(0, 4)]) {
      const status = await vtg(['batch', '--status', prefix, '-q']);
      assert.equal(status.code, 0, `${prefix}: ${status.stderr}`);
      assert.match(status.stdout, new RegExp(`^id\\s+${job.id}$`, 'm'));
      assert.match(status.stdout, new RegExp(`^done\\s+${shown}`, 'm'), `--status shows what --list shows (${shown})`);
    }
    const none = await vtg(['batch', '--status', 'zzzz', '-q']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no batch with id zzzz/);
  });

  test('simulated answers say so in JSON and tables; links never name the simulator; every answer has a permalink', async () => {
    const r = await vtg(['lookup', EICAR_SHA256, 'example.com', '8.8.8.8', '-q', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /127\.0\.0\.1|localhost/);
    const doc = JSON.parse(r.stdout) as Array<{ simulated?: boolean; permalink?: string }>;
    assert.ok(doc.every((d) => d.simulated === true));
    assert.deepEqual(
      doc.map((d) => d.permalink),
      [`https://www.virustotal.com/gui/file/${EICAR_SHA256}`, 'https://www.virustotal.com/gui/domain/example.com', 'https://www.virustotal.com/gui/ip-address/8.8.8.8'],
    );
    const table = await vtg(['lookup', 'example.com', '-q']);
    assert.match(table.stdout, /example\.com\s+domain\s+\w+.*\(simulated\)/);
  });

  test('a token made without a key is seen by the same data dir with a key (operator state is one store)', async () => {
    const made = await vtg(['token', 'create', 'one-store', '--role', 'reader', '-q']);
    assert.equal(made.code, 0, made.stderr);
    const withKey = await runVtg(['token', 'list', '--json', '-q'], { ...cli.env, VT_API_KEY: 'one-store-key-0123456789abcdef', VTG_VIRUSTOTAL_URL: 'http://127.0.0.1:9' }, { cwd: cli.box.dir });
    assert.equal(withKey.code, 0, withKey.stderr);
    assert.ok((JSON.parse(withKey.stdout) as Array<{ name: string }>).some((t) => t.name === 'one-store'), withKey.stdout);
  });

  test('health with a key probes VirusTotal (a free quota read, short timeout) and exits 3 when it cannot be reached', async () => {
    const started = Date.now();
    const r = await runVtg(['health'], { ...cli.env, VT_API_KEY: 'health-key-0123456789abcdef', VTG_VIRUSTOTAL_URL: 'http://127.0.0.1:9' }, { cwd: cli.box.dir });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /^status\s+degraded$/m);
    assert.match(r.stdout, /^upstream reachable\s+no/m);
    assert.ok(Date.now() - started < 30_000, 'the probe has a short timeout');
    const ok = await vtg(['health', '-q']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^upstream reachable\s+yes/m);
  });

  test('a lookup against an unreachable VirusTotal says on stderr what it is retrying', async () => {
    const child = startVtg(['lookup', 'retry-me.example.com'], { ...cli.env, VT_API_KEY: 'retry-key-0123456789abcdef', VTG_VIRUSTOTAL_URL: 'http://127.0.0.1:9' });
    try {
      await child.waitFor((_o, e) => /VirusTotal: .*retry \d+ in \d+s/i.test(e), 60_000);
      assert.match(child.stderr(), /retry-me\.example\.com|VirusTotal/);
    } finally {
      child.kill('SIGKILL');
      await child.exited;
    }
  });
});

