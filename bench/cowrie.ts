/**
 * Cowrie extraction throughput: readCowrieLogs + SessionBuilder + IndicatorCollector against `jq`
 * doing the equivalent selection on the same file.
 *
 *   node --import tsx bench/cowrie.ts [--mb 300] [--jq-timeout 600]
 *   node --import tsx bench/cowrie.ts --generate <path> [--mb N]   (only write a log, kept)
 *
 * Generates a log of the given size in a temp dir from the real events in shared/data/cowrie
 * (sessions replayed with new session ids, source addresses and some new file hashes), measures our
 * pipeline in a child process (so its peak RSS is its own), runs jq, prints both, deletes the file.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSessions, IndicatorCollector, readCowrieLogs } from '../src/cowrie/index.js';

const DATA_DIR = fileURLToPath(new URL('../../shared/data/cowrie/', import.meta.url));
const JQ_FILTER =
  'select(.eventid=="cowrie.session.file_download" or .eventid=="cowrie.session.file_upload" or .eventid=="cowrie.command.input") | [.session,.src_ip,.shasum,.url,.input]';

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

/** Writes about `mb` megabytes of replayed sessions; returns line and session counts. */
function generate(path: string, mb: number): { lines: number; sessions: number } {
  const templates = loadTemplates();
  const target = mb * 1024 * 1024;
  const fd = openSync(path, 'w');
  let written = 0;
  let lines = 0;
  let sessions = 0;
  let buffer: string[] = [];
  let bufferBytes = 0;
  try {
    for (let k = 0; written + bufferBytes < target; k++) {
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
        buffer.push(line);
        bufferBytes += line.length + 1;
        lines++;
      }
      sessions++;
      if (bufferBytes > 4 * 1024 * 1024) {
        written += writeSync(fd, `${buffer.join('\n')}\n`);
        buffer = [];
        bufferBytes = 0;
      }
    }
    if (buffer.length) written += writeSync(fd, `${buffer.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  return { lines, sessions };
}

/** Child mode: run our pipeline on the file and print one JSON line. */
async function measure(path: string): Promise<void> {
  const start = process.hrtime.bigint();
  const collector = new IndicatorCollector();
  let sessions = 0;
  for await (const s of buildSessions(readCowrieLogs([path]))) {
    collector.add(s);
    sessions++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const indicators = collector.list();
  process.stdout.write(
    `${JSON.stringify({
      seconds,
      sessions,
      indicators: indicators.length,
      hashes: indicators.filter((x) => x.kind === 'file').length,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

function run(cmd: string, args: string[], timeoutMs: number, stdout: 'pipe' | 'ignore'): Promise<{ code: number | null; out: string; seconds: number; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', stdout, 'inherit'] });
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

async function main(): Promise<void> {
  const measureAt = process.argv.indexOf('--measure');
  if (measureAt >= 0) return measure(process.argv[measureAt + 1] ?? '');
  const generateAt = process.argv.indexOf('--generate');
  if (generateAt >= 0) {
    // Only write the log (kept) for manual runs: --generate <path> [--mb N]
    const g = generate(process.argv[generateAt + 1] ?? 'cowrie.json', arg('mb', 300));
    console.log(`${g.lines} lines, ${g.sessions} sessions`);
    return;
  }

  const mb = arg('mb', 300);
  const jqTimeoutMs = arg('jq-timeout', 600) * 1000;
  const dir = mkdtempSync(join(tmpdir(), 'vtg-bench-cowrie-'));
  const file = join(dir, 'cowrie.json');
  try {
    const genStart = Date.now();
    const gen = generate(file, mb);
    const size = statSync(file).size;
    const sizeMb = size / 1024 / 1024;
    console.log(
      `cowrie bench: ${sizeMb.toFixed(1)} MB, ${gen.lines.toLocaleString('en')} lines, ${gen.sessions.toLocaleString('en')} sessions (generated in ${((Date.now() - genStart) / 1000).toFixed(1)} s)`,
    );

    const ours = await run(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--measure', file], 30 * 60_000, 'pipe');
    if (ours.code !== 0) throw new Error(`the measuring child failed (exit ${ours.code})`);
    const r = JSON.parse(ours.out.trim().split('\n').pop() ?? '{}') as { seconds: number; sessions: number; indicators: number; hashes: number; maxRssMb: number };
    const ourRate = sizeMb / r.seconds;
    console.log(
      `vt-gateway read+sessions+extract: ${r.seconds.toFixed(2)} s, ${ourRate.toFixed(1)} MB/s, peak RSS ${r.maxRssMb.toFixed(0)} MB, ${r.sessions.toLocaleString('en')} sessions, ${r.indicators.toLocaleString('en')} indicators (${r.hashes} hashes)`,
    );

    let jq: Awaited<ReturnType<typeof run>> | undefined;
    try {
      jq = await run('jq', ['-c', JQ_FILTER, file], jqTimeoutMs, 'ignore');
    } catch (err) {
      console.log(`jq: not available (${(err as Error).message})`);
    }
    if (jq) {
      if (jq.timedOut) console.log(`jq select: stopped after ${(jqTimeoutMs / 1000).toFixed(0)} s (slower than ${(sizeMb / (jqTimeoutMs / 1000)).toFixed(1)} MB/s)`);
      else {
        const jqRate = sizeMb / jq.seconds;
        console.log(`jq select (download/upload/command fields): ${jq.seconds.toFixed(2)} s, ${jqRate.toFixed(1)} MB/s (exit ${jq.code})`);
        console.log(`ratio: vt-gateway is ${(ourRate / jqRate).toFixed(2)}x jq's throughput (and also builds sessions and deduplicated indicators)`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
