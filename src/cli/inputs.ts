/** Reading indicator lists: arguments, `-` for stdin (one per line), files, and free text (--extract). */
// fs.promises on first use: loading node:fs/promises (and the readline and stream code it pulls in)
// costs every command start-up time, a cached lookup never reads a file with it
import { promises as fsp } from 'node:fs';
import { extractIndicators } from '../indicators/index.js';
import { UsageError } from './errors.js';

/** Lines that carry an indicator: trimmed, blank lines and `#` comments dropped (also trailing ` # note`). */
export function indicatorLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line !== '') out.push(line);
  }
  return out;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function readTextFile(path: string): Promise<string> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'error')}`);
  }
}

/** Where stdin is read from, touched only when `-` asks for it (creating the stream costs start-up time). */
export interface StdinSource {
  readonly stdin: NodeJS.ReadableStream;
}

/** Indicators from arguments; a lone `-` reads stdin (once). */
export async function indicatorsFromArgs(args: readonly string[], io: StdinSource): Promise<string[]> {
  const out: string[] = [];
  let stdinRead = false;
  for (const arg of args) {
    if (arg === '-') {
      if (stdinRead) continue;
      stdinRead = true;
      out.push(...indicatorLines(await readAll(io.stdin)));
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Every indicator found in a file of free text (`-` = stdin), as canonical values. */
export async function indicatorsFromText(path: string, io: StdinSource): Promise<string[]> {
  const text = path === '-' ? await readAll(io.stdin) : await readTextFile(path);
  return extractIndicators(text).map((i) => i.value);
}
