/** `vtg` entry point: `run(argv)` parses, runs one command and returns the exit code (never exits the process). */
import { type CliIo, processIo } from './io.js';
import { COMMANDS } from './registry.js';
import { runCommandLine } from './run.js';

export function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  return runCommandLine(argv, io, COMMANDS);
}
