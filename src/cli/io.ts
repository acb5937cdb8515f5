/** The process streams and environment the CLI uses, injectable so `run` can be called in-process. */
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  // each stream is read on first use: creating one (a pipe's socket, a terminal) costs start-up time,
  // and a quiet command never writes to stderr, many never read stdin
  return {
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
}

/**
 * Calls `handler` on the first SIGINT/SIGTERM; a second signal falls through to Node's default
 * (the process ends at once). Returns a function that removes the handlers.
 */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void, signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): () => void {
  const listener = (signal: NodeJS.Signals) => {
    dispose();
    handler(signal);
  };
  const dispose = () => {
    for (const s of signals) process.removeListener(s, listener);
  };
  for (const s of signals) process.on(s, listener);
  return dispose;
}
