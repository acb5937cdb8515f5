/** Runs one `vtg` command line with a given set of commands: the whole tree (main.ts) or `lookup` alone (lookup-main.ts). */
import { type Command, CommanderError } from 'commander';
import { CliContext } from './context.js';
import { exitCodeFor, messageOf } from './errors.js';
import { EXIT, worstExit } from './exit-codes.js';
import type { CliIo } from './io.js';
import { buildProgram, type CommandEntry } from './program.js';
import { CLI_VERSION } from './version.js';
import { rejectKeyArguments } from './secret-args.js';

function applyExitOverride(cmd: Command, ctx: CliContext): void {
  cmd.exitOverride();
  cmd.configureOutput({
    writeOut: (s) => ctx.io.stdout.write(s),
    writeErr: (s) => ctx.errorLine(s.replace(/\n$/, '')),
  });
  for (const sub of cmd.commands) applyExitOverride(sub, ctx);
}

/** Parses `argv`, runs its command and returns the exit code (never exits the process). `program`: a fresh `globalProgram()` to build on. */
export async function runCommandLine(argv: string[], io: CliIo, commands: readonly CommandEntry[], program?: Command): Promise<number> {
  const ctx = new CliContext(io);
  try {
    rejectKeyArguments(argv);
    const built = await buildProgram(ctx, CLI_VERSION, argv, commands, program);
    applyExitOverride(built, ctx);
    if (argv.length === 0) {
      built.outputHelp();
      return EXIT.usage;
    }
    await built.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with code 0; anything else commander rejects is a usage error
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    ctx.errorLine(`vtg: ${messageOf(err)}`);
    return worstExit(ctx.exitCode, exitCodeFor(err));
  } finally {
    await ctx.close().catch((err: unknown) => {
      ctx.errorLine(`vtg: while closing: ${messageOf(err)}`);
    });
  }
}
