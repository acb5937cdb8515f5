/**
 * A throw-away PostgreSQL server for tests: `initdb` into a temp dir, `pg_ctl` on a free 127.0.0.1
 * port with its unix socket in the same dir, trust authentication for the `vtg` superuser, no fsync
 * (commits are still written to the WAL before they are acknowledged, so an immediate stop loses none).
 * It can be stopped (fast, or immediate like a crash) and started again on the same port and data.
 * PostgreSQL refuses to run as root: as root the server runs as the `postgres` user (Debian's package
 * creates it) or `nobody` (the child gets its uid and gid). When the binaries are absent, tests skip with
 * `POSTGRES_SKIP_MESSAGE`.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';

export const POSTGRES_SKIP_MESSAGE =
  'PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin: install the Debian package postgresql (.ci/run does it)';

const USER = 'vtg';

/** The directory holding initdb and pg_ctl: PATH first, then Debian's versioned directories (newest first). */
export function postgresBinDir(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const onPath = which.status === 0 ? which.stdout.trim() : '';
  if (onPath) return onPath.slice(0, onPath.lastIndexOf('/'));
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** The skip message when PostgreSQL tests cannot run here, or undefined when they can (for `{ skip }`). */
export function postgresUnavailableReason(): string | undefined {
  return postgresBinDir() === undefined ? POSTGRES_SKIP_MESSAGE : undefined;
}

/** As root: the unprivileged account the server runs as, with its uid and gid. */
function serverAccount(): { name: string; uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (id.status === 0 && gid.status === 0) return { name, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error('running as root, and neither a postgres nor a nobody account exists to run PostgreSQL as');
}

export class TestPostgresServer {
  readonly port: number;
  readonly dir: string;
  readonly #bin: string;
  readonly #account: { name: string; uid: number; gid: number } | undefined;

  private constructor(port: number, dir: string, bin: string, account: { name: string; uid: number; gid: number } | undefined) {
    this.port = port;
    this.dir = dir;
    this.#bin = bin;
    this.#account = account;
  }

  /** Creates a cluster in a temp dir and starts it on a free port (slow: about a second or two). */
  static async start(): Promise<TestPostgresServer> {
    const bin = postgresBinDir();
    if (!bin) throw new Error(POSTGRES_SKIP_MESSAGE);
    const account = serverAccount();
    const dir = mkdtempSync(join(tmpdir(), 'vtg-pg-'));
    const server = new TestPostgresServer(await freePort(), dir, bin, account);
    try {
      mkdirSync(server.#socketDir);
      if (account) for (const d of [dir, server.#socketDir]) chownSync(d, account.uid, account.gid);
      server.#run('initdb', ['-D', server.#dataDir, '-U', USER, '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
      server.startSync();
      return server;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get #dataDir(): string {
    return join(this.dir, 'data');
  }

  get #socketDir(): string {
    return join(this.dir, 'sock');
  }

  /** A connection URL for `database` (default `postgres`, which always exists). */
  url(database = 'postgres'): string {
    return `postgres://${USER}@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server (again) on its port and data; waits until it accepts connections. */
  startSync(): void {
    const options = `-p ${this.port} -k ${this.#socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.#run('pg_ctl', ['-D', this.#dataDir, '-o', options, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
  }

  /** Stops the server: `fast` (clean) or `immediate` (like a crash: no checkpoint). */
  stopSync(mode: 'fast' | 'immediate' = 'fast'): void {
    this.#run('pg_ctl', ['-D', this.#dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  get running(): boolean {
    return spawnSync(join(this.#bin, 'pg_ctl'), ['-D', this.#dataDir, 'status'], { stdio: 'ignore', ...this.#spawnUser() }).status === 0;
  }

  /** Runs SQL with psql and returns its unaligned, tuples-only output. */
  psql(sql: string, database = 'postgres'): string {
    const r = spawnSync('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(this.port), '-U', USER, '-d', database, '-c', sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  /** Creates an empty database (one per test keeps tests apart) and returns its URL. */
  createDatabase(name: string): string {
    this.psql(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    return this.url(name);
  }

  /** Stops the server if it runs and removes its directory. Safe to call twice. */
  close(): void {
    if (!existsSync(this.dir)) return;
    try {
      if (this.running) this.stopSync('immediate');
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  #spawnUser(): { uid?: number; gid?: number } {
    return this.#account ? { uid: this.#account.uid, gid: this.#account.gid } : {};
  }

  #run(tool: string, args: string[]): void {
    // uid/gid on spawn drop root for the child (what `runuser -u postgres` does), with no shell in between
    const r = spawnSync(join(this.#bin, tool), args, { encoding: 'utf8', cwd: this.dir, ...this.#spawnUser() });
    if (r.status !== 0) throw new Error(`${tool} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(-800)}`);
  }
}
