/**
 * Runs archives in worker threads. A scan keeps one worker for all its levels (each level still gets
 * fresh 7-Zip instances and its own limits), and one idle worker stays warm for the next scan, so a
 * scan does not pay for starting a thread and compiling the engine. A worker that was killed (deadline),
 * died, or stopped a bomb is never reused.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EntryError, WorkerInput, WorkerJob, WorkerMessage } from './extract-worker.js';
import type { ListedEntry } from './listing.js';
import type { LimitHit, MemberOut } from './sink.js';

const EXT = extname(fileURLToPath(import.meta.url));
const WORKER_URL = new URL(`./extract-worker${EXT}`, import.meta.url);
/** From sources (tests, tsx) the worker registers the TypeScript loader first; the built package runs the .js file directly. */
function workerSource(): { src: string | URL; eval: boolean } {
  if (EXT !== '.ts') return { src: WORKER_URL, eval: false };
  const api = import.meta.resolve('tsx/esm/api');
  return { src: `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`, eval: true };
}

export interface WorkerOutcome {
  entries: ListedEntry[];
  headerEncrypted: boolean;
  headerPassword: string | null;
  openError: string | null;
  members: MemberOut[];
  errors: EntryError[];
  archiveErrors: string[];
  limit: LimitHit | null;
  passwordOk: boolean;
  /** The worker had to be killed (deadline) or died. */
  killed: 'time' | 'crash' | null;
  /** Bytes the members delivered add up to. */
  produced: number;
  /** The password attempt the members belong to. */
  attempt: number;
}

/** Extra time the engine gets past the scan deadline to notice it by itself before it is killed. */
const KILL_GRACE_MS = 2000;
/** How long an idle worker waits for the next scan before it ends. */
const IDLE_MS = 30_000;

/** One worker thread, running one archive at a time. */
export class ArchiveWorker {
  readonly #worker: Worker;
  #job = 0;
  #dead = false;
  #listener: ((m: WorkerMessage) => void) | null = null;
  #onDeath: ((why: 'crash', message: string) => void) | null = null;

  constructor() {
    const source = workerSource();
    this.#worker = new Worker(source.src, {
      eval: source.eval,
      // per worker; the engine's own memory is wasm memory, freed with each instance
      resourceLimits: { maxOldGenerationSizeMb: 256 },
      stdout: true,
      stderr: true,
    });
    this.#worker.on('message', (m: WorkerMessage) => {
      if (m.job === this.#job) this.#listener?.(m);
    });
    this.#worker.on('error', (err) => this.#die(`engine failure: ${err.message}`));
    this.#worker.on('exit', () => this.#die(''));
  }

  get usable(): boolean {
    return !this.#dead;
  }

  /** `onMember` sees each member as it comes out (of the attempt that counts); the outcome lists them without their bytes. */
  run(input: WorkerInput, onMember?: (m: MemberOut, attempt: number) => void): Promise<WorkerOutcome> {
    const res: WorkerOutcome = {
      entries: [],
      headerEncrypted: false,
      headerPassword: null,
      openError: null,
      members: [],
      errors: [],
      archiveErrors: [],
      limit: null,
      passwordOk: true,
      killed: null,
      produced: 0,
      attempt: -1,
    };
    if (this.#dead) {
      res.killed = 'crash';
      res.archiveErrors.push('engine failure: the worker is gone');
      return Promise.resolve(res);
    }
    const job = ++this.#job;
    this.#worker.ref();
    return new Promise((resolve) => {
      let attempt = -1;
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#listener = null;
        this.#onDeath = null;
        this.#worker.unref();
        resolve(res);
      };
      const timer = setTimeout(
        () => {
          res.killed = 'time';
          res.limit ??= { limit: 'time', path: '', message: 'scan time limit reached; the engine was stopped' };
          this.terminate();
          finish();
        },
        Math.max(0, input.limits.deadline - Date.now()) + KILL_GRACE_MS,
      );
      this.#onDeath = (_why, message) => {
        res.killed ??= 'crash';
        if (message) res.archiveErrors.push(message);
        finish();
      };
      this.#listener = (m) => {
        switch (m.t) {
          case 'listing':
            res.entries = m.entries;
            res.headerEncrypted = m.headerEncrypted;
            res.headerPassword = m.password;
            res.openError = m.openError;
            if (m.openError) finish();
            break;
          case 'attempt':
            attempt = m.n;
            res.attempt = m.n;
            res.members = [];
            res.produced = 0;
            break;
          case 'members':
            if (m.n !== attempt) break;
            for (const member of m.members) {
              res.produced += member.size;
              res.members.push({ ...member, data: null });
              onMember?.(member, attempt);
            }
            break;
          case 'done':
            if (res.openError) break;
            res.errors = m.errors;
            res.archiveErrors = m.archiveErrors;
            res.limit = m.limit as LimitHit | null;
            res.passwordOk = m.passwordOk;
            finish();
            break;
        }
      };
      const message: WorkerJob = { job, input };
      this.#worker.postMessage(message, [input.data.buffer as ArrayBuffer]);
    });
  }

  terminate(): void {
    this.#dead = true;
    void this.#worker.terminate();
  }

  #die(message: string): void {
    this.#dead = true;
    this.#onDeath?.('crash', message);
  }
}

let idle: { worker: ArchiveWorker; timer: NodeJS.Timeout } | null = null;

/** A worker for one scan: the warm idle one when there is one, else a new one. */
export function acquireWorker(): ArchiveWorker {
  const warm = idle;
  idle = null;
  if (warm) {
    clearTimeout(warm.timer);
    if (warm.worker.usable) return warm.worker;
  }
  return new ArchiveWorker();
}

/**
 * Gives a scan's worker back. `clean`: it ended without a kill, a crash or a limit (a worker that
 * stopped a bomb is ended, so its memory goes with it). At most one worker waits, for `IDLE_MS`.
 */
export function releaseWorker(worker: ArchiveWorker, clean: boolean): void {
  if (!clean || !worker.usable || idle) {
    worker.terminate();
    return;
  }
  const timer = setTimeout(() => {
    if (idle?.worker === worker) idle = null;
    worker.terminate();
  }, IDLE_MS);
  timer.unref();
  idle = { worker, timer };
}

/** One archive in a worker of its own (ended afterwards). */
export async function runArchiveWorker(input: WorkerInput, onMember?: (m: MemberOut, attempt: number) => void): Promise<WorkerOutcome> {
  const worker = new ArchiveWorker();
  try {
    return await worker.run(input, onMember);
  } finally {
    worker.terminate();
  }
}
