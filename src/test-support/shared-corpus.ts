/**
 * The real corpus in `../shared` (fixtures, Cowrie logs, API answers, archives) sits beside the
 * repository on the developers' machines and in CI, never in a user's fresh clone. Tests that read
 * it ask here: they run when it is there and are skipped with a visible note when it is not.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../../../shared/', import.meta.url);

/** Absolute path of `rel` inside the shared corpus, or null when the corpus (or that file) is absent. */
export function sharedPath(rel: string): string | null {
  const path = fileURLToPath(new URL(rel, ROOT));
  return existsSync(path) ? path : null;
}

/** The skip option for node:test: false when `rel` exists, else a note naming what is missing. */
export function skipWithoutShared(rel: string): false | string {
  return sharedPath(rel) === null ? `needs ../shared/${rel} (the real corpus beside the clone); not present here` : false;
}
