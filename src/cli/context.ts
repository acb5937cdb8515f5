/**
 * Per-run state shared by the commands: global options, the output, the loaded config and the
 * backend (opened on first use), and the exit code the run ends with.
 */
import type { GatewayConfig } from '../config/index.js';
import type { Gateway } from '../gateway/index.js';
import type { Backend } from './backend/index.js';
import { UsageError } from './errors.js';
import { EXIT, worstExit } from './exit-codes.js';
import { wantsColor } from './format/color.js';
import { parseFields } from './format/fields.js';
import { Output, type OutputMode } from './format/output.js';
import type { CliIo } from './io.js';

export const MOCK_BANNER = 'vtg: no VirusTotal key configured — using the built-in simulator (mock mode)';

export interface GlobalOptions {
  dataDir?: string;
  database?: string;
  config?: string;
  server?: string;
  json?: boolean;
  ndjson?: boolean;
  csv?: boolean;
  fields?: string;
  color?: boolean;
  quiet?: boolean;
  progressInterval?: string;
}

export class CliContext {
  readonly io: CliIo;
  exitCode: number = EXIT.ok;
  #globals: GlobalOptions = {};
  #out: Output | undefined;
  #config: GatewayConfig | undefined;
  #backend: Promise<Backend> | undefined;
  #local: Promise<Gateway> | undefined;
  #secrets: string[] = [];

  constructor(io: CliIo) {
    this.io = io;
    const token = io.env.VTG_TOKEN;
    if (token) this.#secrets.push(token);
    // Keys in the environment are secrets even before a config is loaded.
    for (const name of ['VT_API_KEY', 'VIRUSTOTAL_API_KEY', 'COWRIEPROC_VT_API', 'URLHAUS_API_KEY', 'SPUR_API_KEY']) {
      const v = io.env[name]?.trim();
      if (v) this.#secrets.push(v);
    }
  }

  get env(): NodeJS.ProcessEnv {
    return this.io.env;
  }

  /** Records an outcome; the run ends with the worst one. */
  fail(code: number): void {
    this.exitCode = worstExit(this.exitCode, code);
  }

  setGlobals(globals: GlobalOptions): void {
    this.#globals = globals;
    this.#out = undefined;
  }

  get globals(): GlobalOptions {
    return this.#globals;
  }

  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= 4 && !this.#secrets.includes(secret)) this.#secrets.push(secret);
  }

  get out(): Output {
    if (!this.#out) {
      const g = this.#globals;
      const modes = (['json', 'ndjson', 'csv'] as const).filter((m) => g[m]);
      if (modes.length > 1) throw new UsageError(`choose one output format: ${modes.map((m) => `--${m}`).join(', ')} were all given`);
      const mode: OutputMode = modes[0] ?? 'table';
      this.#out = new Output({
        mode,
        fields: parseFields(g.fields),
        color: wantsColor(this.io.stdout.isTTY, this.io.env, g.color !== false),
        quiet: g.quiet === true,
        stdout: this.io.stdout,
        // stderr is opened only when something is written to it
        stderr: { write: (text) => this.io.stderr.write(text) },
        secrets: () => this.#secrets,
        terminal: this.io.stdout.isTTY === true,
      });
    }
    return this.#out;
  }

  /** Seconds between plain progress lines when stderr is not a terminal. */
  get progressIntervalMs(): number {
    const raw = this.#globals.progressInterval ?? '5';
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--progress-interval must be a number of seconds above 0, got ${JSON.stringify(raw)}`);
    return n * 1000;
  }

  get serverUrl(): string | undefined {
    const s = this.#globals.server ?? this.io.env.VTG_SERVER;
    return s && s.trim() !== '' ? s.trim() : undefined;
  }

  /** The config from the file, the environment and the global flags (validated once). */
  async config(extra: { host?: string; port?: number; redisUrl?: string; mockProfile?: 'public' | 'premium' } = {}): Promise<GatewayConfig> {
    if (!this.#config || Object.keys(extra).length > 0) {
      const { loadConfig, secretsOf } = await import('../config/index.js');
      const overrides = { ...(this.#globals.dataDir ? { dataDir: this.#globals.dataDir } : {}), ...(this.#globals.database ? { databaseUrl: this.#globals.database } : {}), ...extra };
      const config = loadConfig({ env: this.io.env, ...(this.#globals.config ? { file: this.#globals.config } : {}), overrides });
      for (const s of secretsOf(config)) this.addSecret(s);
      this.#config = config;
    }
    return this.#config;
  }

  /** Opens the gateway once (embedded, or the --server); prints the mock banner when it runs on the simulator. */
  backend(): Promise<Backend> {
    if (!this.#backend) {
      this.#backend = (async () => {
        const server = this.serverUrl;
        if (!server) {
          const [gateway, { embeddedBackend }] = await Promise.all([this.localGateway(), import('./backend/embedded.js')]);
          return embeddedBackend(gateway);
        }
        const { openRemote } = await import('./backend/remote.js');
        const backend = await openRemote({ server, token: this.io.env.VTG_TOKEN });
        if (backend.mock) this.notice(MOCK_BANNER);
        return backend;
      })();
    }
    return this.#backend;
  }

  /**
   * The Gateway in this process on the local data dir, whatever --server says (`serve` and Cowrie
   * enrichment run here). Opened once with the config loaded so far; prints the mock banner.
   * Background work (webhooks, batch resume) runs only for `background: true` (`vtg serve`).
   */
  localGateway(options: { background?: boolean } = {}): Promise<Gateway> {
    if (!this.#local) {
      this.#local = (async () => {
        const config = await this.config();
        const [{ Gateway }, { clockFromEnv }] = await Promise.all([import('../gateway/index.js'), import('../clock/index.js')]);
        const gateway = await Gateway.open({ config, clock: clockFromEnv(this.io.env), background: options.background === true });
        if (gateway.mock) this.notice(MOCK_BANNER);
        return gateway;
      })();
    }
    return this.#local;
  }

  /** An informational line on stderr; -q silences it (with -q, stderr holds only failures). */
  notice(text: string): void {
    if (this.#globals.quiet !== true) this.errorLine(text);
  }

  /** A line on stderr that works even when the output options are invalid. */
  errorLine(text: string): void {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join('***');
    this.io.stderr.write(`${out}\n`);
  }

  async close(): Promise<void> {
    const backend = this.#backend;
    const local = this.#local;
    this.#backend = undefined;
    this.#local = undefined;
    await (await backend?.catch(() => undefined))?.close();
    await (await local?.catch(() => undefined))?.close();
  }
}
