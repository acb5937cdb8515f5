/** Input checks and run notes for `vtg enrich cowrie` that need no engine: a file that is not a Cowrie log, "nothing new". */
import { open, rename, rm, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { isoTime } from '../format/time.js';

const SAMPLE_BYTES = 64 * 1024;

/** True when a line is a Cowrie JSON event (an object whose eventid starts with `cowrie.`). */
function isCowrieLine(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith('{')) return false;
  try {
    const v = JSON.parse(t) as { eventid?: unknown };
    return typeof v.eventid === 'string' && v.eventid.startsWith('cowrie.');
  } catch {
    return false;
  }
}

/**
 * Refuses (exit 2, before any lookup) a plain file whose first complete lines hold no Cowrie event:
 * `vtg enrich cowrie README.md` is a mistake, not an empty report. Empty files (a live log Cowrie
 * has just rotated) and gzip files (checked by the reader) pass.
 */
export async function refuseNonCowrieFiles(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const fh = await open(file, 'r').catch(() => undefined);
    if (!fh) continue; // the reader reports unreadable files itself
    try {
      const buf = Buffer.alloc(SAMPLE_BYTES);
      const { bytesRead } = await fh.read(buf, 0, SAMPLE_BYTES, 0);
      if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) continue;
      const text = buf.subarray(0, bytesRead).toString('utf8');
      const complete = bytesRead < SAMPLE_BYTES ? text : text.slice(0, text.lastIndexOf('\n') + 1);
      const lines = complete.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 0 && !lines.some(isCowrieLine)) {
        throw new UsageError(`${file}: not a Cowrie JSON log (no Cowrie event in its first ${lines.length} line(s)); give Cowrie's cowrie.json files or their directory`);
      }
    } finally {
      await fh.close();
    }
  }
}

/** When the state file was last saved (its mtime), as ISO text, or undefined without one. */
export async function stateSavedAt(statePath: string | undefined): Promise<string | undefined> {
  if (!statePath) return undefined;
  const st = await stat(statePath).catch(() => undefined);
  return st ? isoTime(st.mtimeMs) : undefined;
}

/** The note for a run that found nothing new in unchanged files. */
export function nothingNewNote(unchanged: number, since: string | undefined): string {
  return `vtg: enrich cowrie: ${unchanged} file(s) unchanged, nothing new since ${since ?? 'the last run'}; --full reports everything again (answers come from the cache, free)`;
}

/**
 * `--full`: the run reads every line with a fresh state at `<state>.full`, which replaces the state
 * file only when the run saved it (a clean run), so the next run is incremental again.
 */
export async function fullStatePath(statePath: string): Promise<string> {
  const temp = `${statePath}.full`;
  await rm(temp, { force: true });
  return temp;
}

export async function adoptFullState(temp: string, statePath: string): Promise<void> {
  if (await stat(temp).catch(() => undefined)) await rename(temp, statePath);
}
