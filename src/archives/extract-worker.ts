/**
 * Worker thread: opens archives held in memory, one job at a time, each 7-Zip run in a fresh 7-Zip
 * (wasm) instance (fresh memory, fresh file system), or fzstd for zstd streams. The wasm module is
 * compiled once per worker; only instances are made per run. Nothing touches the disk: the archive
 * sits in the instance's in-memory file system and every extracted byte is diverted from that file
 * system into a hasher (see sink.ts), so entry names never become real paths and a bomb never fills memory.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import type { SevenZipModule, SevenZipModuleFactory } from '7z-wasm';
import { Decompress } from 'fzstd';
import { detectArchive, SEVEN_ZIP_TYPE } from './detect.js';
import { type ListedEntry, parseListing } from './listing.js';
import { type MemberOut, type MemberState, Sink, type SinkLimits, StopExtraction } from './sink.js';
import type { ArchiveFormat } from './types.js';

export interface WorkerInput {
  data: Uint8Array;
  /** A safe file name for the archive (single-stream formats name their output after it). */
  name: string;
  format: ArchiveFormat;
  passwords: string[];
  limits: SinkLimits;
  /** Keep every member's bytes (YARA is on); otherwise only nested archives are kept. */
  keepAll: boolean;
}

export interface EntryError {
  path: string;
  kind: 'password' | 'crc' | 'data' | 'other';
  message: string;
}

/** One archive to open; `job` tags every message about it. */
export interface WorkerJob {
  job: number;
  input: WorkerInput;
}

export type WorkerMessage = { job: number } & (
  | { t: 'listing'; entries: ListedEntry[]; headerEncrypted: boolean; password: string | null; openError: string | null }
  | { t: 'attempt'; n: number }
  /** Members in batches: one message per member cost more than hashing them. */
  | { t: 'members'; n: number; members: MemberOut[] }
  | {
      t: 'done';
      n: number;
      errors: EntryError[];
      archiveErrors: string[];
      limit: { limit: string; path: string; message: string } | null;
      passwordOk: boolean;
    }
);

type Untagged = WorkerMessage extends infer M ? (M extends { job: number } ? Omit<M, 'job'> : never) : never;

/** The job being worked on: jobs run one after another, never two at once. */
let input: WorkerInput;
let jobId = 0;
const send = (m: Untagged, transfer: ArrayBuffer[] = []) => parentPort?.postMessage({ ...m, job: jobId }, transfer);

const BATCH_MEMBERS = 64;
/** Member bytes held back for a batch: small, so batching never adds much to memory. */
const BATCH_BYTES = 4 * 1024 * 1024;
let batch: { n: number; members: MemberOut[]; transfer: ArrayBuffer[]; bytes: number } | null = null;

function flushMembers(): void {
  if (!batch) return;
  const { n, members, transfer } = batch;
  batch = null;
  send({ t: 'members', n, members }, transfer);
}

/** Every other message goes after the members batched before it. */
function post(m: Untagged): void {
  flushMembers();
  send(m);
}

const require = createRequire(import.meta.url);
const SevenZip = require('7z-wasm') as SevenZipModuleFactory;
type SZ = SevenZipModule;

// The WebAssembly global, as far as it is used here (the DOM lib that declares it is not in this build).
type WasmModule = object;
type WasmInstance = object;
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule>; instantiate(module: WasmModule, imports: object): Promise<WasmInstance> };

/** Compiled once per worker; every run instantiates it afresh (new memory, nothing shared between runs). */
// started as the worker boots, so it overlaps with the scan's own work on the main thread
const compiled: Promise<WasmModule> = WebAssembly.compile(readFileSync(require.resolve('7z-wasm/7zz.wasm')));
compiled.catch(() => {}); // a failure surfaces when an instance is asked for
function instantiateWasm(imports: object, receive: (instance: WasmInstance, module: WasmModule) => void): object {
  void compiled.then(async (module) => receive(await WebAssembly.instantiate(module, imports), module));
  return {};
}

/** Each instance's console output, collected as bytes and turned into lines after each run. */
const consoles = new WeakMap<SZ, () => void>();

async function fresh(out: string[]): Promise<SZ> {
  const options = { print: (s: string) => out.push(s), printErr: (s: string) => out.push(s), instantiateWasm };
  const sz = await SevenZip(options as Parameters<SevenZipModuleFactory>[0]);
  // The engine's terminal writes a JavaScript call per character; a listing of thousands of
  // entries spent longer there than in decompression. Its output is taken whole instead.
  const FS = sz.FS as unknown as { write: (...a: unknown[]) => unknown };
  const write = FS.write;
  const bytes: Buffer[] = [];
  FS.write = function (this: unknown, ...args: unknown[]) {
    const [stream, buf, off, len] = args as [{ tty?: unknown }, Int8Array, number, number];
    if (!stream.tty) return write.apply(this, args);
    bytes.push(Buffer.from(new Uint8Array(buf.buffer, buf.byteOffset + off, len)));
    return len;
  };
  consoles.set(sz, () => {
    if (bytes.length === 0) return;
    const lines = Buffer.concat(bytes).toString('utf8').replace(/\0/g, '').split('\n');
    bytes.length = 0;
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) out.push(line);
  });
  sz.FS.mkdir('/in');
  sz.FS.mkdir('/out');
  sz.FS.writeFile(`/in/${input.name}`, input.data);
  return sz;
}

function run(sz: SZ, args: string[]): number | 'thrown' {
  try {
    const rc = sz.callMain(args) as unknown;
    return typeof rc === 'number' ? rc : 0;
  } catch {
    return 'thrown';
  } finally {
    consoles.get(sz)?.();
  }
}

async function list(password: string): Promise<{ out: string[]; entries: ListedEntry[] }> {
  const out: string[] = [];
  const sz = await fresh(out);
  const type = sevenZipType();
  const rc = run(sz, ['l', '-slt', '-bd', '-y', `-p${password}`, `-t${type}`, `/in/${input.name}`]);
  const entries = parseListing(out);
  if (rc === 'thrown' && entries.length === 0) out.push('ERROR: the engine gave up reading the archive (damaged)');
  return { out, entries };
}

const ENTRY_ERROR = /^ERROR: (.*?) : (.*)$/;

function entryErrors(out: string[]): { errors: EntryError[]; archive: string[] } {
  const errors: EntryError[] = [];
  const archive: string[] = [];
  // 7-Zip prints archive-level problems under "ERRORS:" and harmless ones (unknown pax keys,
  // data after the end) under "WARNINGS:"; only the former make the archive corrupt.
  let section: 'errors' | 'warnings' | null = null;
  for (const line of out) {
    const m = ENTRY_ERROR.exec(line);
    if (m && /Cannot create (hard|symbolic) link|Cannot set file attribute/.test(line)) continue;
    if (m && !m[2]?.startsWith('/in/')) {
      const message = m[1] as string;
      const kind = /password/i.test(message) ? 'password' : /CRC/.test(message) ? 'crc' : /Data Error|Unexpected end/i.test(message) ? 'data' : 'other';
      errors.push({ path: m[2] as string, kind, message });
      continue;
    }
    if (line === 'ERRORS:') section = 'errors';
    else if (line === 'WARNINGS:') section = 'warnings';
    else if (line.trim() === '' || line === '--' || line.includes(' = ')) section = null;
    else if (section === 'errors') archive.push(line.trim());
  }
  return { errors, archive: [...new Set(archive)] };
}

/** The 7-Zip type switch: RAR 5 has its own handler. */
function sevenZipType(): string {
  if (input.format === 'rar' && input.data[6] === 0x01) return 'rar5';
  return SEVEN_ZIP_TYPE[input.format as keyof typeof SEVEN_ZIP_TYPE];
}

async function extract(n: number, password: string): Promise<{ errors: EntryError[]; archive: string[]; sink: Sink }> {
  const out: string[] = [];
  const sz = await fresh(out);
  const sink = new Sink(input.limits);
  const states = new WeakMap<object, MemberState>();
  type Fn = (...a: unknown[]) => unknown;
  const FS = sz.FS as unknown as { open: Fn; write: Fn; close: Fn; isFile(mode: number): boolean };
  const { open, write, close } = FS;
  FS.open = function (this: unknown, ...args: unknown[]) {
    const stream = open.apply(this, args) as { path?: string; node?: { mode: number } };
    if (stream.path?.startsWith('/out/') && stream.node && FS.isFile(stream.node.mode)) {
      states.set(stream, sink.open(stream.path.slice(5), keepIf));
    }
    return stream;
  };
  FS.write = function (this: unknown, ...args: unknown[]) {
    const [stream, buf, off, len] = args as [object, Int8Array, number, number];
    const st = states.get(stream);
    if (!st) return write.apply(this, args);
    sink.write(st, new Uint8Array(buf.buffer, buf.byteOffset + off, len));
    return len;
  };
  FS.close = function (this: unknown, ...args: unknown[]) {
    const st = states.get(args[0] as object);
    if (st) {
      states.delete(args[0] as object);
      if (!sink.hit) deliver(n, st);
    }
    return close.apply(this, args);
  };
  const type = sevenZipType();
  // -snl: links are made as links (never written through); -spd off by default keeps names relative.
  const rc = run(sz, ['x', '-bd', '-y', '-snl', `-p${password}`, `-t${type}`, '-o/out', `/in/${input.name}`]);
  const { errors, archive } = entryErrors(out);
  if (rc === 'thrown' && !sink.hit) archive.push('the engine gave up while extracting (damaged data)');
  return { errors, archive, sink };
}

const keepIf = (head: Uint8Array) => input.keepAll || detectArchive(head) !== null;

/** Posts a finished member; its bytes travel only when YARA wants them or it is an archive to descend. */
function deliver(n: number, st: MemberState): void {
  const member = st.finish();
  if (member.data && !input.keepAll && !detectArchive(member.data)) member.data = null;
  if (batch && batch.n !== n) flushMembers();
  batch ??= { n, members: [], transfer: [], bytes: 0 };
  batch.members.push(member);
  if (member.data) {
    batch.transfer.push(member.data.buffer as ArrayBuffer);
    batch.bytes += member.data.length;
  }
  if (batch.members.length >= BATCH_MEMBERS || batch.bytes >= BATCH_BYTES) flushMembers();
}

function unzstd(): void {
  const sink = new Sink(input.limits);
  const outName = input.name.replace(/\.(tzst|tar\.zst)$/i, '.tar').replace(/\.(zst|zstd)$/i, '') || 'data';
  const name = outName === input.name ? `${input.name}.out` : outName;
  post({ t: 'listing', entries: [], headerEncrypted: false, password: null, openError: null });
  post({ t: 'attempt', n: 0 });
  const archiveErrors: string[] = [];
  let st: MemberState | null = null;
  try {
    st = sink.open(name, keepIf);
    const state = st;
    const d = new Decompress((chunk) => sink.write(state, chunk));
    const CH = 65536;
    for (let o = 0; o < input.data.length; o += CH) d.push(input.data.subarray(o, o + CH), o + CH >= input.data.length);
  } catch (err) {
    if (!(err instanceof StopExtraction)) archiveErrors.push(`zstd: ${(err as Error).message}`);
  }
  if (st && !sink.hit && archiveErrors.length === 0) deliver(0, st);
  post({ t: 'done', n: 0, errors: [], archiveErrors, limit: sink.hit, passwordOk: true });
}

/** A 7z whose next header is an encoded header packed with AES (7-Zip's -mhe): names need the password. */
function sevenZipHeaderEncrypted(d: Uint8Array): boolean {
  if (d.length < 32) return false;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const start = 32 + Number(view.getBigUint64(12, true));
  const size = Number(view.getBigUint64(20, true));
  if (!Number.isSafeInteger(start) || start >= d.length || d[start] !== 0x17) return false;
  return Buffer.from(d.subarray(start, Math.min(d.length, start + size))).includes(Buffer.from([0x06, 0xf1, 0x07, 0x01]));
}

async function main(): Promise<void> {
  if (input.format === 'zstd') return unzstd();
  let { out, entries } = await list('');
  let headerPassword: string | null = null;
  const headerEncrypted =
    out.some((l) => /Cannot open encrypted archive|encrypted archive\. Wrong password/i.test(l)) || (input.format === '7z' && entries.length === 0 && sevenZipHeaderEncrypted(input.data));
  if (headerEncrypted) {
    for (const pw of input.passwords) {
      const r = await list(pw);
      // opened: the listing reached its entries (an empty archive still prints the separator)
      if (r.entries.length > 0 || r.out.includes('----------')) {
        ({ out, entries } = r);
        headerPassword = pw;
        break;
      }
    }
  }
  const openError = entries.length === 0 && out.some((l) => /Cannot open|Is not archive|ERROR/.test(l)) ? out.filter((l) => /ERROR|Cannot|Unexpected/.test(l)).join(' ').trim() : null;
  post({ t: 'listing', entries, headerEncrypted, password: headerPassword, openError: headerEncrypted && !headerPassword ? 'encrypted headers' : openError });
  if ((headerEncrypted && !headerPassword) || openError) {
    post({ t: 'done', n: -1, errors: [], archiveErrors: [], limit: null, passwordOk: true });
    return;
  }
  const anyEncrypted = headerPassword !== null || entries.some((e) => e.encrypted);
  const candidates = anyEncrypted ? [...new Set([...(headerPassword !== null ? [headerPassword] : []), ...input.passwords])] : [''];
  for (let n = 0; n < candidates.length; n++) {
    post({ t: 'attempt', n });
    const r = await extract(n, candidates[n] as string);
    const passwordOk = !r.errors.some((e) => e.kind === 'password' || (anyEncrypted && e.kind === 'crc'));
    const last = n === candidates.length - 1;
    if (passwordOk || last || r.sink.hit) {
      post({ t: 'done', n, errors: r.errors, archiveErrors: r.archive, limit: r.sink.hit, passwordOk });
      return;
    }
  }
}

parentPort?.on('message', (job: WorkerJob) => {
  input = job.input;
  jobId = job.job;
  main().catch((err) => {
    post({ t: 'done', n: -1, errors: [], archiveErrors: [`engine failure: ${(err as Error).message}`], limit: null, passwordOk: true });
  });
});
