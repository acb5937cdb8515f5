/**
 * The one throw-away redis-server for tests (governor and cache): 127.0.0.1 only, no persistence,
 * on a free port; it can be killed (SIGKILL, like a crash), frozen, and started again on the same
 * port. When redis-server is not installed, tests skip with `REDIS_SKIP_MESSAGE` instead of failing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export const REDIS_SKIP_MESSAGE =
  'redis-server not found: install the Debian package redis-server (apt-get install redis-server; .ci/run does it)';

let availableCache: boolean | undefined;

/** True when a redis-server binary answers `--version`. */
export function redisServerAvailable(): boolean {
  availableCache ??= spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return availableCache;
}

/** The skip message when Redis tests cannot run here, or undefined when they can (for `{ skip }`). */
export function redisUnavailableReason(): string | undefined {
  return redisServerAvailable() ? undefined : REDIS_SKIP_MESSAGE;
}

/** A free TCP port on 127.0.0.1 (bind to port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class TestRedisServer {
  readonly port: number;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(port: number) {
    this.port = port;
  }

  /** Starts a server on `port` (default: a free one) and waits until it is ready. */
  static async start(port?: number): Promise<TestRedisServer> {
    const server = new TestRedisServer(port ?? (await freePort()));
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts (or restarts, empty) the server on its port; waits for "Ready to accept connections". */
  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    this.#exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`redis-server did not start on port ${this.port}: ${output.slice(-500)}`));
      }, 20_000);
      child.stdout?.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`));
      });
    });
    child.stdout?.removeAllListeners('data');
    child.stdout?.resume();
    child.stderr?.resume();
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the server: connections stay open but get no answer. */
  freeze(frozen: boolean): void {
    if (this.running) this.#child?.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Kills the server (SIGKILL: the data is gone, as after a crash) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
    await this.#exited;
  }

  /** Same as stop(). */
  kill(): Promise<void> {
    return this.stop();
  }
}

/** Starts a throw-away server (on `port`, or a free one). */
export function startRedisServer(port?: number): Promise<TestRedisServer> {
  return TestRedisServer.start(port);
}

export type RedisServer = TestRedisServer;
