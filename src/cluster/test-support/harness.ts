/**
 * A cluster for drills: one redis-server, N real `vtg serve` processes on one key against a
 * simulator the test owns, sharing one store. The store is a parameter: a SQLite data dir shared
 * by the processes, or a PostgreSQL URL passed as `--database` (useDrill starts one when it can).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until as pollUntil } from '../../test-support/until.js';
import { freePort, type TestRedisServer, startRedisServer } from '../../test-support/redis-server.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const ENTRY = join(REPO, 'src', 'cluster', 'test-support', 'vtg.ts');
export const CLUSTER_KEY = 'FAKE-VT-KEY-c1a57e9b2d4f6081a3c5e7f9b1d3f5a7';

export type ClusterStore = { kind: 'sqlite' } | { kind: 'database'; url: string };

/** The drills' store: VTG_DRILL_DATABASE_URL runs them on a database server, else on a shared SQLite data dir. */
export function defaultStore(): ClusterStore {
  const url = process.env.VTG_DRILL_DATABASE_URL;
  return url ? { kind: 'database', url } : { kind: 'sqlite' };
}

export interface ClusterOptions {
  instances?: number;
  /** Where VirusTotal is (the simulator, or a recorder in front of it). */
  upstream: { url: string };
  /** VTG_VT_LIMITS for the one key, e.g. `minute=60`. */
  limits: string;
  /** Default: `defaultStore()`. */
  store?: ClusterStore;
  /** Lease length in seconds (VTG_CLUSTER_LEASE); short leases make takeovers quick. */
  leaseSeconds?: number;
  env?: Record<string, string>;
}

export interface Instance {
  id: string;
  port: number;
  url: string;
  child: ChildProcess;
  stderr: string;
}

export class TestCluster {
  readonly instances: Instance[] = [];
  #next = 0;

  private constructor(
    readonly redis: TestRedisServer,
    readonly dataDir: string,
    private readonly options: ClusterOptions,
  ) {}

  static async start(options: ClusterOptions): Promise<TestCluster> {
    const redis = await startRedisServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'vtg-cluster-'));
    const cluster = new TestCluster(redis, dataDir, options);
    try {
      await Promise.all(Array.from({ length: options.instances ?? 3 }, (_, i) => cluster.#spawn(i)));
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  /** Round-robin over the live instances. */
  url(): string {
    const live = this.instances.filter((i) => i.child.exitCode === null && i.child.signalCode === null);
    const pick = live[this.#next++ % live.length];
    if (!pick) throw new Error('no live instance');
    return pick.url;
  }

  /**
   * Sends `signal` to an instance and waits for it to exit: its exit code, or the signal's name.
   * An instance still running 20 s after SIGTERM is killed, and that answers 'hung'.
   */
  async kill(index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | string | undefined> {
    const inst = this.instances[index];
    if (!inst) return undefined;
    const child = inst.child;
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode ?? undefined;
    const exited = new Promise<number | string>((r) => child.once('exit', (code, sig) => r(code ?? sig ?? 'unknown')));
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((r) => {
      timer = setTimeout(() => r('hung'), 20_000);
    });
    const outcome = await Promise.race([exited, hung]);
    clearTimeout(timer);
    if (outcome === 'hung') {
      child.kill('SIGKILL');
      await exited;
    }
    return outcome;
  }

  async #spawn(index: number): Promise<void> {
    const port = await freePort();
    const id = `node-${index + 1}`;
    const store = this.options.store ?? defaultStore();
    const args = ['--import', 'tsx', ENTRY, '--data-dir', this.dataDir, 'serve', '--port', String(port), '--redis', this.redis.url];
    if (store.kind === 'database') args.push('--database', store.url);
    const child = spawn(process.execPath, args, {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: this.dataDir,
        XDG_CONFIG_HOME: join(this.dataDir, 'config'),
        VT_API_KEY: CLUSTER_KEY,
        VTG_VIRUSTOTAL_URL: this.options.upstream.url,
        VTG_VT_LIMITS: this.options.limits,
        VTG_INSTANCE_ID: id,
        VTG_CLUSTER_LEASE: String(this.options.leaseSeconds ?? 3),
        VTG_WEBHOOK_ALLOWLIST: '127.0.0.1',
        VTG_HARVEST: 'off',
        ...this.options.env,
      },
    });
    // a test process that ends without close() (a timeout, a crash) takes its instances with it
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    const inst: Instance = { id, port, url: `http://127.0.0.1:${port}`, child, stderr: '' };
    this.instances[index] = inst;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${id} did not start within 120 s: ${inst.stderr.slice(-1000)}`)), 120_000);
      child.stderr?.on('data', (d: Buffer) => {
        inst.stderr += d.toString();
        if (inst.stderr.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${id} exited with ${code}: ${inst.stderr.slice(-1000)}`));
      });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.instances.map((_, i) => this.kill(i, 'SIGTERM')));
    await this.redis.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** GET a JSON answer (status and body), never throwing on HTTP errors; network errors are status 0. */
// biome-ignore lint/suspicious/noExplicitAny: drills walk arbitrary JSON answers
export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body };
  } catch (err) {
    return { status: 0, body: String(err) };
  }
}

/** Polls `check` until truthy, with a longer limit and pace for whole processes. */
export function until<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, limitMs = 30_000, everyMs = 100): Promise<T> {
  return pollUntil(check, limitMs, everyMs);
}
