/**
 * Runs the BUILT `vtg` (node bin/vtg.js) as a child process with its own HOME and data dir, and
 * remembers everything it printed so tests can assert that no secret ever reached a terminal.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

export const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const BIN = join(REPO, 'bin', 'vtg.js');
const MAIN = join(REPO, 'dist', 'cli', 'main.js');
/** What bin/vtg.js runs when it is not older than MAIN (scripts/build-cli.mjs). */
export const BUNDLE = join(REPO, 'dist', 'cli-bundle', 'vtg.cjs');
/** What bin/vtg.js runs for `vtg lookup` (and `l`): the same build with only the lookup command. */
export const LOOKUP_BUNDLE = join(REPO, 'dist', 'cli-bundle', 'lookup.cjs');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds dist/ and the CLI bundle when they are older than src/ (one builder at a time across test files). */
export function ensureBuilt(): void {
  const lock = join(REPO, 'dist', '.cli-test-build.lock');
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  for (let i = 0; i < 600; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // a stale lock (a killed run) older than 2 minutes is taken over
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      sleepSync(200);
    }
  }
  try {
    if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < newestMtime(join(REPO, 'src'))) {
      // other folders may be mid-work and fail type-checking; tsc still emits, so only dist/cli matters
      spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'tsconfig.build.json')], { cwd: REPO, stdio: 'ignore' });
    }
    if (!existsSync(MAIN)) throw new Error('the build did not produce dist/cli/main.js');
    if (!existsSync(BUNDLE) || !existsSync(LOOKUP_BUNDLE) || statSync(BUNDLE).mtimeMs < statSync(MAIN).mtimeMs) {
      const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'build-cli.mjs')], { cwd: REPO, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`scripts/build-cli.mjs failed: ${r.stderr}`);
    }
  } finally {
    rmdirSync(lock);
  }
}

export interface Sandbox {
  home: string;
  dataDir: string;
  dir: string;
  /** Environment for the child: nothing inherited but PATH (no stray VT_API_KEY from the developer). */
  env(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv;
  remove(): void;
}

export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'vtg-cli-'));
  const home = join(dir, 'home');
  const dataDir = join(dir, 'data');
  mkdirSync(home);
  return {
    dir,
    home,
    dataDir,
    env: (extra = {}) => {
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, VTG_DATA_DIR: dataDir, LANG: 'C.UTF-8', TERM: 'xterm' };
      for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
      return env;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Everything every child printed in this test file. */
export const transcript: string[] = [];

/** Runs `node bin/vtg.js ...args` (`bin`: another copy of bin/vtg.js). */
export function runVtg(args: string[], env: NodeJS.ProcessEnv, options: { input?: string; timeoutMs?: number; cwd?: string; bin?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], { env, cwd: options.cwd ?? REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vtg ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      transcript.push(stdout, stderr);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running vtg child (serve, mock, a batch to interrupt) with line-wise access to its output. */
export interface LiveVtg {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when `predicate` holds for the output so far; rejects after `timeoutMs` or on exit. */
  waitFor(predicate: (stdout: string, stderr: string) => boolean, timeoutMs?: number): Promise<void>;
  exited: Promise<RunResult>;
  kill(signal?: NodeJS.Signals): void;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/**
 * Starts vtg in the background. `pty: true` runs it under a pseudo-terminal (util-linux `script`);
 * then stdin stays open for `write` (type answers to prompts) and stdout is the terminal's screen.
 */
export function startVtg(args: string[], env: NodeJS.ProcessEnv, options: { input?: string; pty?: boolean } = {}): LiveVtg & { write(text: string): void } {
  const child = options.pty
    ? spawn('script', ['-qfec', [process.execPath, BIN, ...args].map(shellQuote).join(' '), '/dev/null'], { env, cwd: REPO })
    : spawn(process.execPath, [BIN, ...args], { env, cwd: REPO });
  let out = '';
  let err = '';
  let done = false;
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    poke();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    poke();
  });
  const exited = new Promise<RunResult>((resolvePromise) => {
    child.on('close', (code, signal) => {
      done = true;
      transcript.push(out, err);
      poke();
      resolvePromise({ code, signal, stdout: out, stderr: err });
    });
  });
  if (!options.pty) child.stdin.end(options.input ?? '');
  return {
    child,
    write: (text: string) => {
      child.stdin.write(text);
    },
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (!done) child.kill(signal);
    },
    waitFor: (predicate, timeoutMs = 30_000) =>
      new Promise((resolvePromise, reject) => {
        const check = () => {
          if (predicate(out, err)) {
            cleanup();
            resolvePromise();
          } else if (done) {
            cleanup();
            reject(new Error(`vtg exited before the expected output\nstdout: ${out}\nstderr: ${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for output\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Runs a command line under a pseudo-terminal (util-linux `script`), returning what the terminal showed. */
export function runInPty(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunResult> {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env, cwd: REPO });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', () => {});
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pty run timed out: ${stdout}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      transcript.push(stdout);
      resolvePromise({ code, signal, stdout, stderr: '' });
    });
    child.stdin.end();
  });
}

export function hasScript(): boolean {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface MockCli {
  /** The sandbox (valid once the file's `before` hook ran). */
  readonly box: Sandbox;
  /** The children's environment: no key (mock mode), time scaled 20x so simulated analyses finish fast. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs the built vtg with `env` (in the sandbox dir with `cwd: 'sandbox'`). */
  vtg(args: string[], input?: string): Promise<RunResult>;
}

/** The setup CLI test files share: build once, one sandbox for the file, removed after it. */
export function mockCli(options: { cwd?: 'sandbox' | 'repo' } = {}): MockCli {
  let box: Sandbox | undefined;
  let env: NodeJS.ProcessEnv | undefined;
  before(() => {
    ensureBuilt();
    box = sandbox();
    env = box.env({ VTG_TIME_SCALE: '20' });
  });
  after(() => box?.remove());
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('mockCli is used before its before() hook ran');
    return v;
  };
  return {
    get box() {
      return ready(box);
    },
    get env() {
      return ready(env);
    },
    vtg: (args, input) =>
      runVtg(args, ready(env), { ...(options.cwd === 'sandbox' ? { cwd: ready(box).dir } : {}), ...(input !== undefined ? { input } : {}) }),
  };
}
