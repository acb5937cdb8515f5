/** The `vtg` command tree: global options, every command, and the help epilogue. */
import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import { registerBatch } from './commands/batch.js';
import { registerCache } from './commands/cache.js';
import { registerCacheWarm } from './commands/cache-warm.js';
import { registerCompletion } from './commands/completion.js';
import { registerConfig } from './commands/config.js';
import { registerContent } from './commands/content.js';
import { registerEnrich } from './commands/enrich.js';
import { registerExport } from './commands/export.js';
import { registerHistory } from './commands/history.js';
import { registerLookup } from './commands/lookup.js';
import { registerMock } from './commands/mock.js';
import { registerObjects } from './commands/objects.js';
import { registerQuota } from './commands/quota.js';
import { registerRefresh } from './commands/refresh.js';
import { registerScan } from './commands/scan.js';
import { registerSearch } from './commands/search.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerToken } from './commands/token.js';
import { registerVersion } from './commands/version.js';
import { registerWatchlist } from './commands/watchlist.js';

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

export function buildProgram(ctx: CliContext, version: string): Command {
  const program = new Command('vtg')
    .description('Quota-aware VirusTotal gateway: lookups, scans, batches, quota, cache and history from a terminal')
    .version(version, '-V, --version', 'print the version')
    .option('--data-dir <dir>', 'data directory (default $VTG_DATA_DIR or ~/.local/share/vt-gateway)')
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

  registerLookup(program, ctx);
  registerObjects(program, ctx);
  registerScan(program, ctx);
  registerContent(program, ctx);
  registerBatch(program, ctx);
  registerEnrich(program, ctx);
  registerQuota(program, ctx);
  registerCache(program, ctx);
  registerCacheWarm(program, ctx);
  registerHistory(program, ctx);
  registerWatchlist(program, ctx);
  registerRefresh(program, ctx);
  registerSearch(program, ctx);
  registerExport(program, ctx);
  registerStatus(program, ctx);
  registerToken(program, ctx);
  registerServe(program, ctx);
  registerMock(program, ctx);
  registerConfig(program, ctx);
  registerCompletion(program, ctx);
  registerVersion(program, ctx, version);
  return program;
}
