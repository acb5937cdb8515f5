/**
 * Cowrie: `vtg enrich cowrie --dry-run` (read, sessionise, extract, estimate) against jq on the same
 * file, in one run, with peak memory, plus the two cases that must stay bounded:
 *
 *   1. a log replayed from the real events of ../shared/data/cowrie (each pass renames sessions,
 *      addresses and some hashes consistently, so sessions keep their shape), against
 *      jq -c 'select(.eventid|test("file_(download|upload)$")) | .shasum' | sort -u
 *   2. a broken log of sessions that never close (every event its own session, time moving on);
 *   3. a year of daily logs (365 files) read in one run, with RSS sampled along the way.
 *
 *   node --import tsx bench/cowrie.ts [--mb 200] [--repeat 3] [--open-sessions 1000000] [--year-mb 0.3] [--jq-timeout 600]
 *     [--cases replay,open,year]   (default all three)
 *   node --import tsx bench/cowrie.ts --generate <path> [--mb N]   (only write a log, kept)
 *
 * Everything is generated into a temp dir and deleted at the end. Each measurement runs in a child
 * process, so its peak RSS is its own. Speed is measured through the library (tsx); peak RSS also as
 * the user sees it: `vtg enrich cowrie --dry-run` from the compiled CLI (dist/, built first).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DATA_DIR = fileURLToPath(new URL('../../shared/data/cowrie/', import.meta.url));
const JQ_FILTER = 'select(.eventid|test("file_(download|upload)$")) | .shasum';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

interface Template {
  session: string;
  srcIp: string;
  hashes: string[];
  lines: string[];
}

function loadTemplates(): Template[] {
  const bySession = new Map<string, Template>();
  for (const name of readdirSync(DATA_DIR).sort()) {
    for (const line of readFileSync(join(DATA_DIR, name), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as { session?: string; src_ip?: string; eventid?: string; shasum?: string };
      if (!e.session) continue;
      let t = bySession.get(e.session);
      if (!t) {
        t = { session: e.session, srcIp: e.src_ip ?? '', hashes: [], lines: [] };
        bySession.set(e.session, t);
      }
      if ((e.eventid === 'cowrie.session.file_download' || e.eventid === 'cowrie.session.file_upload') && e.shasum && !t.hashes.includes(e.shasum)) {
        t.hashes.push(e.shasum);
      }
      t.lines.push(line);
    }
  }
  return [...bySession.values()];
}

/** Buffered writes of whole lines. */
class Out {
  readonly fd: number;
  #buf: string[] = [];
  #size = 0;
  written = 0;
  lines = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  line(s: string): void {
    this.#buf.push(s);
    this.#size += s.length + 1;
    this.lines++;
    if (this.#size > 4 * 1024 * 1024) this.flush();
  }
  flush(): void {
    if (this.#buf.length) this.written += writeSync(this.fd, `${this.#buf.join('\n')}\n`);
    this.#buf = [];
    this.#size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
  get bytes(): number {
    return this.written + this.#size;
  }
}

const TS = /("timestamp": ?")\d{4}-\d{2}-\d{2}/;

/**
 * Writes about `bytes` of replayed sessions; `day` (YYYY-MM-DD) moves every timestamp to that date.
 * `k0` numbers the replays, so several files never reuse a session id.
 */
function replay(path: string, templates: Template[], bytes: number, k0 = 0, day?: string): { lines: number; sessions: number; next: number } {
  const out = new Out(path);
  let k = k0;
  try {
    for (; out.bytes < bytes; k++) {
      const t = templates[k % templates.length] as Template;
      const id = k.toString(16).padStart(12, '0').slice(-12);
      // A few thousand distinct attackers (public-looking), each coming back many times.
      const a = k % 4000;
      const ip = `${[45, 61, 91, 103, 185, 193][a % 6]}.${(a >> 3) % 250}.${(a * 7) % 250}.${(a % 253) + 1}`;
      // One replay in 20 gets fresh file hashes, so the hash set grows like a real sensor's.
      const fresh = k % 20 === 0;
      for (const raw of t.lines) {
        let line = raw.split(t.session).join(id);
        if (t.srcIp) line = line.split(`"${t.srcIp}"`).join(`"${ip}"`);
        if (fresh) for (const h of t.hashes) line = line.split(h).join(createHash('sha256').update(`${h}:${k}`).digest('hex'));
        if (day) line = line.replace(TS, `$1${day}`);
        out.line(line);
      }
    }
  } finally {
    out.close();
  }
  return { lines: out.lines, sessions: k - k0, next: k };
}

/** `count` sessions that never close: one connect event each, a millisecond apart. */
function neverClosing(path: string, count: number): void {
  const out = new Out(path);
  const start = Date.UTC(2026, 2, 25);
  try {
    for (let k = 0; k < count; k++) {
      // 20,000 distinct attackers (each costs its own lookup entry, which the report must keep).
      const a = k % 20_000;
      const ip = `${[45, 61, 91, 103][a % 4]}.${(a >> 8) % 250}.${a % 250}.${(a % 253) + 1}`;
      const ts = new Date(start + k).toISOString().replace('Z', '000Z');
      out.line(
        `{"eventid":"cowrie.session.connect","src_ip":"${ip}","src_port":${1024 + (k % 60000)},"dst_ip":"10.0.0.5","dst_port":22,"session":"${k.toString(16).padStart(12, '0')}","protocol":"ssh","message":"New connection: ${ip}:${1024 + (k % 60000)} (10.0.0.5:22) [session: ${k.toString(16).padStart(12, '0')}]","sensor":"bench","timestamp":"${ts}"}`,
      );
    }
  } finally {
    out.close();
  }
}

interface Measured {
  seconds: number;
  /** Until the last byte was read and sessionised (the rest is the estimate). */
  readSeconds: number;
  /** CPU time of the run (user + system), which a loaded machine inflates less than wall time. */
  cpuSeconds: number;
  sessions: number;
  idleClosed: number;
  hashes: number;
  indicators: number;
  maxRssMb: number;
  /** RSS at 25/50/75/100 % of the bytes. */
  rssAlongMb: number[];
}

/** Child mode: `vtg enrich cowrie --dry-run` through the library, on a mock-mode gateway of its own. */
async function measure(paths: string[]): Promise<void> {
  const [{ Gateway }, { loadConfig }, { enrichCowrieLogs }] = await Promise.all([
    import('../src/gateway/index.js'),
    import('../src/config/index.js'),
    import('../src/cowrie/index.js'),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'vtg-bench-gw-'));
  const gateway = await Gateway.open({ config: loadConfig({ env: { HOME: dir, VTG_DATA_DIR: dir } }) });
  try {
    const along: number[] = [];
    let readDone = 0;
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    const result = await enrichCowrieLogs(gateway, {
      paths,
      dryRun: true,
      keepSessions: false,
      onProgress: (p) => {
        if (p.phase !== 'read' || p.bytesTotal === 0) return;
        if (p.bytesRead >= p.bytesTotal && readDone === 0) readDone = Number(process.hrtime.bigint() - start) / 1e9;
        while (along.length < 4 && p.bytesRead >= ((along.length + 1) / 4) * p.bytesTotal) along.push(process.memoryUsage().rss / 1024 / 1024);
      },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const m: Measured = {
      seconds,
      readSeconds: readDone || seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      sessions: result.stats.sessions,
      idleClosed: result.report.totals.idleClosedSessions,
      hashes: result.report.hashes.length,
      indicators: result.stats.indicators,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      rssAlongMb: along,
    };
    process.stdout.write(`${JSON.stringify(m)}\n`);
  } finally {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string; seconds: number; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, seconds: Number(process.hrtime.bigint() - start) / 1e9, timedOut });
    });
  });
}

async function ours(paths: string[]): Promise<Measured> {
  const r = await run(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--measure', ...paths], 60 * 60_000);
  if (r.code !== 0) throw new Error(`the measuring child failed (exit ${r.code})`);
  return JSON.parse(r.out.trim().split('\n').pop() ?? '{}') as Measured;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Builds dist/ and the CLI bundles (the CLI the user runs) from this tree. */
async function buildCli(): Promise<void> {
  const r = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], 10 * 60_000);
  if (r.code !== 0) throw new Error(`building dist/ failed (exit ${r.code})`);
  // and the CLI bundles, as `npm run build` does: a dist/ newer than them makes bin/vtg.js skip them
  const b = await run(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], 10 * 60_000);
  if (b.code !== 0) throw new Error(`building the CLI bundles failed (exit ${b.code})`);
}

/** Runs the CLI's entry in this process, then prints its peak RSS (what the bin script does, plus the print). */
const CLI_CHILD = `
const { run } = await import(${JSON.stringify(new URL('../dist/cli/main.js', import.meta.url).href)});
const code = await run(process.argv.slice(1));
process.stdout.write('\\n' + JSON.stringify({ code, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\\n');
`;

/** `vtg enrich cowrie --dry-run --json` as the user runs it: its peak RSS and the sessions it read. */
async function cliPeak(paths: string[]): Promise<{ seconds: number; maxRssMb: number; sessions: number }> {
  const data = mkdtempSync(join(tmpdir(), 'vtg-bench-cli-'));
  try {
    const r = await run(
      'env',
      [`HOME=${data}`, `VTG_DATA_DIR=${data}`, process.execPath, '--input-type=module', '-e', CLI_CHILD, 'enrich', 'cowrie', '--dry-run', '--no-state', '--json', '-q', ...paths],
      60 * 60_000,
    );
    const lines = r.out.trim().split('\n');
    const m = JSON.parse(lines.pop() ?? '{}') as { code: number; maxRssMb: number };
    if (m.code !== 0) throw new Error(`vtg enrich cowrie exited ${m.code}`);
    const doc = JSON.parse(lines.join('\n')) as { stats: { sessions: number } };
    return { seconds: r.seconds, maxRssMb: m.maxRssMb, sessions: doc.stats.sessions };
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** jq's time for the same job (distinct downloaded/uploaded hashes), or undefined when it is not there. */
async function jq(paths: string[], timeoutMs: number): Promise<{ seconds: number; cpuSeconds: number; hashes: number } | undefined> {
  // `times` prints the CPU time of the pipeline (jq, sort, wc) on its second line.
  const script = `jq -c ${quote(JQ_FILTER)} ${paths.map(quote).join(' ')} | sort -u | wc -l; times`;
  try {
    const r = await run('sh', ['-c', script], timeoutMs);
    if (r.timedOut) {
      console.log(`jq: stopped after ${(timeoutMs / 1000).toFixed(0)} s`);
      return undefined;
    }
    if (r.code !== 0) {
      console.log(`jq: exit ${r.code} (is /usr/bin/jq installed?)`);
      return undefined;
    }
    const [count, , children] = r.out.trim().split('\n');
    const cpu = (children ?? '').split(/\s+/).reduce((n, t) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(t);
      return m ? n + Number(m[1]) * 60 + Number(m[2]) : n;
    }, 0);
    return { seconds: r.seconds, cpuSeconds: cpu, hashes: Number(count) };
  } catch (err) {
    console.log(`jq: not available (${(err as Error).message})`);
    return undefined;
  }
}

const mbOf = (paths: string[]) => paths.reduce((n, p) => n + statSync(p).size, 0) / 1024 / 1024;
const f0 = (n: number) => n.toFixed(0);

async function main(): Promise<void> {
  const measureAt = process.argv.indexOf('--measure');
  if (measureAt >= 0) return measure(process.argv.slice(measureAt + 1));
  const generateAt = process.argv.indexOf('--generate');
  if (generateAt >= 0) {
    const g = replay(process.argv[generateAt + 1] ?? 'cowrie.json', loadTemplates(), arg('mb', 200) * 1024 * 1024);
    console.log(`${g.lines} lines, ${g.sessions} sessions`);
    return;
  }

  const jqTimeoutMs = arg('jq-timeout', 600) * 1000;
  console.log('building dist/ (the CLI whose peak RSS is measured)');
  await buildCli();
  const dir = mkdtempSync(join(tmpdir(), 'vtg-bench-cowrie-'));
  try {
    const templates = loadTemplates();
    const casesAt = process.argv.indexOf('--cases');
    const cases = new Set((casesAt >= 0 ? (process.argv[casesAt + 1] ?? '') : 'replay,open,year').split(','));

    // 1. the replayed log against jq
    if (cases.has('replay')) {
    const file = join(dir, 'cowrie.json');
    const gen = replay(file, templates, arg('mb', 200) * 1024 * 1024);
    const sizeMb = mbOf([file]);
    console.log(`replayed log: ${sizeMb.toFixed(1)} MB, ${gen.lines.toLocaleString('en')} lines, ${gen.sessions.toLocaleString('en')} sessions`);
    // Interleaved runs, best of each: these machines are shared and one run can land on a busy minute.
    const repeat = arg('repeat', 3);
    let a: Measured | undefined;
    let j: Awaited<ReturnType<typeof jq>>;
    for (let i = 0; i < repeat; i++) {
      const ourRun = await ours([file]);
      // Best wall time, least CPU time and highest peak of the runs, as for jq (least CPU there too).
      if (!a || ourRun.seconds < a.seconds) a = { ...ourRun, maxRssMb: Math.max(ourRun.maxRssMb, a?.maxRssMb ?? 0), cpuSeconds: Math.min(ourRun.cpuSeconds, a?.cpuSeconds ?? Number.POSITIVE_INFINITY) };
      else {
        a.maxRssMb = Math.max(a.maxRssMb, ourRun.maxRssMb);
        a.cpuSeconds = Math.min(a.cpuSeconds, ourRun.cpuSeconds);
      }
      const jqRun = await jq([file], jqTimeoutMs);
      if (jqRun && (!j || jqRun.seconds < j.seconds)) j = { ...jqRun, cpuSeconds: Math.min(jqRun.cpuSeconds, j?.cpuSeconds ?? Number.POSITIVE_INFINITY) };
      else if (jqRun && j) j.cpuSeconds = Math.min(j.cpuSeconds, jqRun.cpuSeconds);
    }
    if (!a) throw new Error('no measurement');
    const rate = sizeMb / a.seconds;
    console.log(
      `vtg enrich cowrie --dry-run (best of ${repeat}): ${a.seconds.toFixed(2)} s (reading ${a.readSeconds.toFixed(2)} s, estimate ${(a.seconds - a.readSeconds).toFixed(2)} s), ${rate.toFixed(1)} MB/s, CPU ${a.cpuSeconds.toFixed(2)} s (least of ${repeat}), peak RSS ${f0(a.maxRssMb)} MB, ${a.sessions.toLocaleString('en')} sessions, ${a.hashes} hashes`,
    );
    if (j) {
      console.log(
        `jq (select file_download/upload .shasum | sort -u, best of ${repeat}): ${j.seconds.toFixed(2)} s, ${(sizeMb / j.seconds).toFixed(1)} MB/s, CPU ${j.cpuSeconds.toFixed(2)} s, ${j.hashes} hashes`,
      );
      console.log(`ratio: vtg --dry-run is ${(j.seconds / a.seconds).toFixed(2)}x jq's speed (CPU time: ${(j.cpuSeconds / a.cpuSeconds).toFixed(2)}x)`);
      if (j.hashes !== a.hashes) console.log(`note: jq counted ${j.hashes} distinct hashes, vtg ${a.hashes} (vtg drops empty and empty-file hashes)`);
    }
    const aCli = await cliPeak([file]);
    console.log(`the same log through the CLI (vtg enrich cowrie --dry-run --json): ${aCli.seconds.toFixed(2)} s, peak RSS ${f0(aCli.maxRssMb)} MB`);
    rmSync(file);
    }

    // 2. sessions that never close
    if (cases.has('open')) {
    const openCount = arg('open-sessions', 1_000_000);
    const openFile = join(dir, 'cowrie.json');
    neverClosing(openFile, openCount);
    const b = await ours([openFile]);
    const bCli = await cliPeak([openFile]);
    console.log(
      `never-closing sessions: ${openCount.toLocaleString('en')} sessions (${mbOf([openFile]).toFixed(0)} MB): ${b.seconds.toFixed(2)} s, ${b.idleClosed.toLocaleString('en')} closed as unterminated; peak RSS ${f0(bCli.maxRssMb)} MB through the CLI (target < 300 MB), ${f0(b.maxRssMb)} MB through the library under tsx`,
    );
    if (bCli.sessions !== openCount) console.log(`note: the CLI counted ${bCli.sessions} sessions`);
    rmSync(openFile);
    }

    // 3. a year of daily logs
    if (cases.has('year')) {
    const yearDir = join(dir, 'year');
    rmSync(yearDir, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(yearDir);
    const perDay = arg('year-mb', 0.3) * 1024 * 1024;
    const files: string[] = [];
    let k = 0;
    for (let d = 0; d < 365; d++) {
      const day = new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      const f = join(yearDir, `cowrie.json.${day}`);
      k = replay(f, templates, perDay, k, day).next;
      files.push(f);
    }
    const yearMb = mbOf(files);
    const c = await ours([yearDir]);
    console.log(
      `a year of daily logs: 365 files, ${yearMb.toFixed(0)} MB, ${c.sessions.toLocaleString('en')} sessions: ${c.seconds.toFixed(2)} s, ${(yearMb / c.seconds).toFixed(1)} MB/s, peak RSS ${f0(c.maxRssMb)} MB, RSS at 25/50/75/100 % ${c.rssAlongMb.map(f0).join('/')} MB`,
    );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
