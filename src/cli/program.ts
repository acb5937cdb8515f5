/**
 * The `vtg` command tree: global options, every command, and the help epilogue.
 *
 * Commands are registered lazily, so a run loads only the code of the command it runs (a cached
 * `vtg lookup` never loads the HTTP server, the upload code or the Cowrie reader). Each entry of
 * the registry (registry.ts) names the top-level commands (and aliases) its module registers or adds subcommands to,
 * and loads the module; `buildProgram` finds the command on the command line and registers only
 * the entries that name it, in order (`scan` needs scan.ts and content.ts); `vtg --version` registers none. Help (`vtg`, `vtg --help`, `vtg help`), an unknown
 * name and commands marked `tree` (they read the whole tree, as `completion` does) register them all,
 * in this order, which is also the order `vtg --help` lists them in.
 *
 * The entries live in registry.ts (every command) and lookup-entry.ts: `vtg lookup` also starts from
 * a bundle of its own that knows only its entry (lookup-main.ts, bin/vtg.js).
 */
import { Command, Option } from 'commander';
import type { CliContext } from './context.js';

type Register = (program: Command, ctx: CliContext, version: string) => void;
export interface CommandEntry {
  /** The command's name, then its aliases. */
  names: string[];
  load: () => Promise<Register>;
  /** Reads the whole command tree: registering it registers every command. */
  tree?: boolean;
}

export const EPILOGUE = `
Output:
  A terminal gets an aligned, coloured table (NO_COLOR or --no-color turn colour off; no colour
  when stdout is not a terminal). --json prints one JSON document, --ndjson one line per result,
  --csv a header and rows; --fields picks columns (table, CSV) or keys (JSON, dotted paths allowed).
  Progress of long work goes to stderr: a bar on a terminal, otherwise a plain line every
  --progress-interval seconds.

Exit codes:
  0    done
  1    a --fail-on threshold was met (computed from the VirusTotal v3 last_analysis_stats)
  2    usage or input error (bad flags, invalid indicators, unreadable files, bad config)
  3    upstream, authentication or quota failure (or the server could not be reached)
  130  interrupted by Ctrl-C after a clean stop (batch: resume with --resume <id>)

Environment:
  VT_API_KEY / VIRUSTOTAL_API_KEY  VirusTotal key (never accepted as an argument); without one,
                                   vtg runs on its built-in simulator (mock mode) and says so
  URLHAUS_API_KEY, SPUR_API_KEY, DSHIELD_EMAIL   other sources (enrich)
  VTG_DATA_DIR      data dir (default ~/.local/share/vt-gateway)
  VTG_CONFIG        config file (default ~/.config/vt-gateway/config.json)
  VTG_SERVER        like --server; VTG_TOKEN is the client token sent to it
  VTG_VIRUSTOTAL_URL, VTG_URLHAUS_URL, VTG_DSHIELD_URL, VTG_SPUR_URL   upstream base URLs
  VTG_VT_LIMITS     quota limits, e.g. minute=4,day=500,month=15500
  NO_COLOR          no colour

Examples:
  vtg lookup 44d88612fea8a8f36de82e1278abb02f
  cat iocs.txt | vtg lookup - --ndjson
  vtg batch iocs.txt --dry-run
  vtg scan file ./samples --wait
  vtg enrich cowrie /var/log/cowrie --dry-run
  vtg quota
  VTG_SERVER=http://gateway:8290 VTG_TOKEN=... vtg lookup example.com
`;

/** The program for `argv` with the commands it needs registered (on `program` when given: a `globalProgram(version)` not used yet). */
export async function buildProgram(ctx: CliContext, version: string, argv: readonly string[], commands: readonly CommandEntry[], program = globalProgram(version)): Promise<Command> {
  for (const entry of commandsFor(program, argv, commands)) (await entry.load())(program, ctx, version);
  return program;
}

/** The program with its global options and help text, and no command yet. */
export function globalProgram(version: string): Command {
  return new Command('vtg')
    .description('Quota-aware VirusTotal gateway: lookups, scans, batches, quota, cache and history from a terminal')
    .version(version, '-V, --version', 'print the version')
    .option('--data-dir <dir>', 'data directory (default $VTG_DATA_DIR or ~/.local/share/vt-gateway)')
    .option('--database <url>', 'keep the store in PostgreSQL (postgres://user:pass@host:5432/db; default $VTG_DATABASE_URL) instead of the SQLite file in the data dir')
    .option('--config <file>', 'config file (default $VTG_CONFIG or ~/.config/vt-gateway/config.json)')
    .option('--server <url>', 'talk to a running `vtg serve` at URL instead of the local data dir (or VTG_SERVER; token from VTG_TOKEN); `serve` and `enrich cowrie` always run locally')
    .option('--json', 'print one JSON document')
    .option('--ndjson', 'print one JSON line per result')
    .option('--csv', 'print CSV (header + rows)')
    .option('--fields <list>', 'comma-separated columns (table, CSV) or keys (JSON; dotted paths allowed)')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('-q, --quiet', 'no progress or informational messages on stderr')
    .addOption(new Option('--progress-interval <sec>', 'seconds between plain progress lines when stderr is not a terminal').default('5'))
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EPILOGUE);
}

/** The entries to register for `argv`: those that name its command, none for `--version` alone, or all of them (help, unknown names, `tree`). */
export function commandsFor(program: Command, argv: readonly string[], commands: readonly CommandEntry[]): readonly CommandEntry[] {
  const name = commandName(program, argv);
  const has = (...flags: string[]) => argv.some((a) => flags.includes(a));
  if (name === undefined && has('-V', '--version') && !has('-h', '--help')) return [];
  const entries = name === undefined ? [] : commands.filter((e) => e.names.includes(name));
  return entries.length > 0 && !entries.some((e) => e.tree) ? entries : commands;
}

/** The first operand of `argv` (the command's name), skipping the program's own options and their values. */
export function commandName(program: Command, argv: readonly string[]): string | undefined {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short]).filter(Boolean));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-') || arg === '-') return arg;
    if (takesValue.has(arg)) i++;
  }
  return undefined;
}
