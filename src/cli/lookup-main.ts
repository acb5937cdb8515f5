/**
 * The start of `vtg lookup` alone: the same run as main.ts with only the lookup command in the tree,
 * so its bundle (dist/cli-bundle/lookup.cjs, scripts/build-cli.mjs) holds none of the other commands
 * and a cached lookup reads, deserialises and runs less. bin/vtg.js runs it when the command line's
 * first operand is `lookup` or `l`; for anything else (help, another command) `run` answers
 * undefined without doing anything, and bin/vtg.js runs the full CLI instead.
 */
import type { CliIo } from './io.js';
import { processIo } from './io.js';
import { LOOKUP } from './lookup-entry.js';
import { commandName, globalProgram } from './program.js';
import { runCommandLine } from './run.js';
import { CLI_VERSION } from './version.js';

/** Whether `argv` runs `vtg lookup` (as the full command tree would read it; `program`: the global options). */
export function isLookup(argv: readonly string[], program = globalProgram(CLI_VERSION)): boolean {
  const name = commandName(program, argv);
  return name !== undefined && LOOKUP.names.includes(name);
}

export function run(argv: string[], io: CliIo = processIo()): Promise<number> | undefined {
  // the program that reads the command's name is the one that runs it (built once)
  const program = globalProgram(CLI_VERSION);
  return isLookup(argv, program) ? runCommandLine(argv, io, [LOOKUP], program) : undefined;
}
