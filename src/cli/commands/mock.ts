/** `vtg mock`: the built-in simulator of VirusTotal, URLhaus, DShield and SPUR, until SIGINT/SIGTERM. */
import { type Command, InvalidArgumentError } from 'commander';
import type { MockFaults, MockQuotaLimits } from '../../mock/index.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { onInterrupt } from '../io.js';
import { action, examples, port } from './common.js';

interface MockFlags {
  port: number;
  host: string;
  profile: 'public' | 'premium';
  limits?: string;
  keys?: string;
  faults?: string;
}

/** The environment that points every upstream of vtg at one simulator. */
export function upstreamUrlEnv(url: string): Record<string, string> {
  return { VTG_VIRUSTOTAL_URL: url, VTG_URLHAUS_URL: url, VTG_DSHIELD_URL: url, VTG_SPUR_URL: url };
}

export function registerMock(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('mock')
    .description('run the upstream simulator (VirusTotal v3, URLhaus, DShield, SPUR) for demos and tests')
    .option('--port <n>', 'port (0 = a free port)', port, 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--profile <profile>', 'quota profile: public (4/min, 500/day) or premium', (v) => {
      if (v !== 'public' && v !== 'premium') throw new InvalidArgumentError('expected public or premium');
      return v as 'public' | 'premium';
    }, 'public')
    .option('--limits <list>', 'override quota windows, e.g. minute=4,hour=240,day=500,month=15500')
    .option('--keys <list>', 'accept only these simulator keys (comma-separated; others get 401)')
    .option('--faults <list>', 'inject faults: latency=MS,error=SHARE,status=503,timeout=SHARE,drop=SHARE,toomany=SHARE,storm,seed=N')
    .action(action(ctx, (flags: MockFlags) => mock(ctx, flags)));
  examples(cmd, [
    'vtg mock --port 8080',
    'vtg mock --profile public --faults latency=200,error=0.1',
    'eval "$(vtg mock --port 8080 | grep ^export)"   # in another shell: point vtg at it',
  ]);
}

async function mock(ctx: CliContext, flags: MockFlags): Promise<number> {
  const [{ parseFaults, parseLimits }, { startSimulator }, { clockFromEnv }] = await Promise.all([
    import('../../mock/index.js'),
    import('../../gateway/index.js'),
    import('../../clock/index.js'),
  ]);
  let limits: MockQuotaLimits | undefined;
  let faults: MockFaults | undefined;
  try {
    limits = flags.limits ? parseLimits(flags.limits) : undefined;
    faults = flags.faults ? parseFaults(flags.faults) : undefined;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const keys = flags.keys?.split(',').map((k) => k.trim()).filter(Boolean);
  let dispose = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    dispose = onInterrupt((signal) => resolve(signal));
  });
  const sim = await startSimulator({
    port: flags.port,
    host: flags.host,
    profile: flags.profile,
    clock: clockFromEnv(ctx.env),
    ...(limits ? { limits } : {}),
    ...(keys && keys.length > 0 ? { keys } : {}),
    ...(faults ? { faults } : {}),
  }).catch((err: unknown) => {
    dispose();
    throw err;
  });
  try {
    const env = upstreamUrlEnv(sim.url);
    ctx.out.object({ url: sim.url, port: sim.port, profile: flags.profile, env }, () => [
      `vtg mock: simulator listening on ${sim.url} (profile ${flags.profile}${keys ? `, ${keys.length} accepted key(s)` : ', any key accepted'})`,
      `vtg mock: stats at ${sim.url}/_mock/stats; Ctrl-C stops it`,
      '',
      '# point vtg (or VT clients: host = this URL) at it:',
      ...Object.entries(env).map(([k, v]) => `export ${k}=${v}`),
      '# and give it any key, e.g.: export VT_API_KEY=<anything>',
    ]);
    const signal = await stopped;
    ctx.out.info(`vtg mock: ${signal}: stopping`);
    return EXIT.ok;
  } finally {
    dispose();
    await sim.close();
  }
}
