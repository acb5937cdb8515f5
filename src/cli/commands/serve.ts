/** `vtg serve`: the HTTP service on this machine's data dir; SIGTERM/SIGINT close it cleanly (exit 0). */
import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { onInterrupt } from '../io.js';
import { action, examples, port } from './common.js';

interface ServeFlags {
  port?: number;
  host?: string;
  redis?: string;
  insecureNoAuth?: boolean;
  mockProfile?: 'public' | 'premium';
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
    .action(action(ctx, (flags: ServeFlags) => serve(ctx, flags)));
  examples(cmd, [
    'vtg serve',
    'vtg serve --host 0.0.0.0 --port 8290 --redis redis://redis:6379/0',
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
  const [{ Gateway }, { clockFromEnv }] = await Promise.all([import('../../gateway/index.js'), import('../../clock/index.js')]);
  const gateway = await Gateway.open({ config, clock: clockFromEnv(ctx.env) });
  let server: { url: string; port: number; close(): Promise<void> } | undefined;
  let dispose = () => {};
  try {
    ctx.banner(gateway.mock);
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      dispose = onInterrupt((signal) => resolve(signal));
    });
    // loaded only here: lookups and other commands never load the HTTP stack
    const { startServer } = await import('../../http/index.js');
    server = await startServer({ gateway, host: config.server.host, port: config.server.port, insecureNoAuth: flags.insecureNoAuth === true });
    const s = server;
    ctx.out.object({ url: s.url, port: s.port, mock: gateway.mock, dataDir: gateway.config.dataDir, version: gateway.version }, () => [`vtg serve: listening on ${s.url} (data dir ${gateway.config.dataDir})`]);
    if (gateway.tokens.count() === 0) ctx.out.info('vtg serve: no client tokens yet; create one with: vtg token create --name NAME --role analyst');
    const signal = await stopped;
    ctx.out.info(`vtg serve: ${signal}: closing`);
    return EXIT.ok;
  } finally {
    dispose();
    await server?.close();
    await gateway.close();
  }
}
