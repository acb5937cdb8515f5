/** Runs one archive in its own worker thread (a fresh engine instance), killed if it outlives the deadline. */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EntryError, WorkerInput, WorkerMessage } from './extract-worker.js';
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

/** `onMember` sees each member as it comes out (of the attempt that counts); the outcome lists them without their bytes. */
export function runArchiveWorker(input: WorkerInput, onMember?: (m: MemberOut, attempt: number) => void): Promise<WorkerOutcome> {
  return new Promise((resolve) => {
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
    let attempt = -1;
    let settled = false;
    const source = workerSource();
    const worker = new Worker(source.src, {
      eval: source.eval,
      workerData: input,
      transferList: [input.data.buffer as ArrayBuffer],
      resourceLimits: { maxOldGenerationSizeMb: 256 },
      stdout: true,
      stderr: true,
    });
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(res);
    };
    const timer = setTimeout(
      () => {
        res.killed = 'time';
        res.limit ??= { limit: 'time', path: '', message: 'scan time limit reached; the engine was stopped' };
        finish();
      },
      Math.max(0, input.limits.deadline - Date.now()) + KILL_GRACE_MS,
    );
    worker.on('message', (m: WorkerMessage) => {
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
        case 'member':
          if (m.n === attempt) {
            res.produced += m.member.size;
            res.members.push({ ...m.member, data: null });
            onMember?.(m.member, attempt);
          }
          break;
        case 'done':
          res.errors = m.errors;
          res.archiveErrors = m.archiveErrors;
          res.limit = m.limit as LimitHit | null;
          res.passwordOk = m.passwordOk;
          finish();
          break;
      }
    });
    worker.on('error', (err) => {
      res.killed = 'crash';
      res.archiveErrors.push(`engine failure: ${err.message}`);
      finish();
    });
    worker.on('exit', () => {
      if (!settled) {
        res.killed ??= 'crash';
        finish();
      }
    });
  });
}
