/**
 * `vtg serve`: the HTTP service on this machine's data dir; SIGTERM/SIGINT close it cleanly (exit 0).
 * stdout carries only the service's JSON log lines (or --log-file does); what people read goes to stderr.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { onInterrupt } from '../io.js';
import { closeAppend, openAppend } from '../out-file.js';
import { action, examples, port } from './common.js';

interface ServeFlags {
  port?: number;
  host?: string;
  redis?: string;
  insecureNoAuth?: boolean;
  mockProfile?: 'public' | 'premium';
  logFile?: string;
}

export function registerServe(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('serve')
    .description('run the HTTP service (REST API, VirusTotal-compatible /api/v3, dashboard) on the local data dir')
    .option('--port <n>', 'port (default $VTG_PORT or 8290; 0 = a free port)', port)
    .option('--host <host>', 'address to listen on (default $VTG_HOST or 127.0.0.1)')
    .option('--redis <url>', 'share cache and quota with other instances through Redis (e.g. redis://127.0.0.1:6379/0)')
    .option('--insecure-no-auth', 'accept requests without a client token even off loopback (never on a shared network)')
    .option('--mock-profile <profile>', 'simulator quota profile when no key is configured (public|premium)', (v) => {
      if (v !== 'public' && v !== 'premium') throw new InvalidArgumentError('expected public or premium');
      return v as 'public' | 'premium';
    })
    .option('--log-file <file>', 'append the JSON log lines to FILE instead of stdout')
    .addHelpText(
      'after',
      `
Output:
  stdout is the service's log stream: one JSON object per line (pino; requests, start, stop; secrets
  scrubbed), ready for a log shipper. With --log-file it goes to that file and stdout stays empty.
  The human lines ("listening on URL", the mock banner, shutdown) go to stderr.`,
    )
    .action(action(ctx, (flags: ServeFlags) => serve(ctx, flags)));
  examples(cmd, [
    'vtg serve',
    'vtg serve --host 0.0.0.0 --port 8290 --redis redis://redis:6379/0',
    'vtg serve --log-file /var/log/vtg.jsonl',
    'vtg serve | jq -c \'select(.status >= 400)\'   # the JSON log on stdout',
    'vtg token create --name soar --role analyst   # then: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8290/api/quota',
  ]);
}

async function serve(ctx: CliContext, flags: ServeFlags): Promise<number> {
  const config = await ctx.config({
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    ...(flags.redis !== undefined ? { redisUrl: flags.redis } : {}),
    ...(flags.mockProfile !== undefined ? { mockProfile: flags.mockProfile } : {}),
  });
  const logStream = flags.logFile !== undefined ? await openAppend(flags.logFile, '--log-file') : undefined;
  let server: { url: string; port: number; close(): Promise<void> } | undefined;
  let dispose = () => {};
  try {
    // closed by the context when the command ends, after the server below
    const gateway = await ctx.localGateway({ background: true });
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      dispose = onInterrupt((signal) => resolve(signal));
    });
    // loaded only here: lookups and other commands never load the HTTP stack
    const { startServer } = await import('../../http/index.js');
    server = await startServer({
      gateway,
      host: config.server.host,
      port: config.server.port,
      insecureNoAuth: flags.insecureNoAuth === true,
      ...(logStream ? { logStream } : {}),
    });
    // always shown (also with --quiet): with --port 0 it is the only way to learn the port
    ctx.out.warn(`vtg serve: listening on ${server.url} (data dir ${gateway.config.dataDir})`);
    if (await gateway.tokens.count() === 0) ctx.out.info('vtg serve: no client tokens yet; create one with: vtg token create --name NAME --role analyst');
    const signal = await stopped;
    ctx.out.info(`vtg serve: ${signal}: closing`);
    return EXIT.ok;
  } finally {
    dispose();
    await server?.close();
    await closeAppend(logStream);
  }
}
