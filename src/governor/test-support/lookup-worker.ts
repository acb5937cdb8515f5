/**
 * A gateway-like process for the multi-process Redis test: RedisGovernor + Scheduler + VirusTotal
 * client against a shared simulator. Configured by environment only (the key never goes on argv):
 * VT_API_KEY, VTG_VIRUSTOTAL_URL, REDIS_URL, GOV_PREFIX, GOV_LIMITS (JSON), LOOKUPS, WORKER_NAME,
 * VTG_TIME_SCALE and VTG_TIME_ANCHOR (shared time). Prints one JSON line per event on stdout.
 */
import { createHash } from 'node:crypto';
import { clockFromEnv } from '../../clock/index.js';
import { parseIndicator } from '../../indicators/index.js';
import { VirusTotalClient, VirusTotalProvider } from '../../providers/virustotal/index.js';
import { Scheduler } from '../../scheduler/index.js';
import { keyLabel } from '../index.js';
import { RedisGovernor } from '../redis.js';

const env = process.env;
const say = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n');

const clock = clockFromEnv(env);
const apiKey = env.VT_API_KEY ?? '';
const name = env.WORKER_NAME ?? 'worker';
const lookups = Number(env.LOOKUPS ?? '8');
const governor = new RedisGovernor({
  redis: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  clock,
  prefix: env.GOV_PREFIX,
  localShare: 0.5,
  onEvent: (e) => say({ event: e.type, ...e }),
});
const key = keyLabel(apiKey);
governor.configure(key, JSON.parse(env.GOV_LIMITS ?? '{}'));
const client = new VirusTotalClient({ apiKey, baseUrl: env.VTG_VIRUSTOTAL_URL });
const provider = new VirusTotalProvider(client, { clock });
const scheduler = new Scheduler({ governor, key, clock, concurrency: 2 });

let completed = 0;
let failed = 0;
const jobs = Array.from({ length: lookups }, (_, i) => {
  const hash = createHash('sha256').update(`${name}-${i}`).digest('hex');
  return scheduler
    .run(({ permit, signal }) => provider.lookup(parseIndicator(hash), { permit, signal }), {
      key: `virustotal:file:${hash}`,
    })
    .then(
      () => {
        completed++;
        say({ done: hash, mode: governor.mode });
      },
      (err: Error) => {
        failed++;
        say({ failed: hash, error: err.message });
      },
    );
});
await Promise.all(jobs);
// On a busy machine a process may finish its lookups from its local share before Redis returns:
// it stays until it is back on the shared counters (bounded), so what it counted reaches Redis.
const end = Date.now() + 60_000;
while (governor.mode !== 'redis' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
say({ summary: true, completed, failed });
await scheduler.close();
await governor.close();
await client.close();
process.exitCode = failed === 0 ? 0 : 1;
