/**
 * Scheduler benchmark against the VirusTotal simulator (public profile) in scaled time.
 * Run: node --import tsx bench/scheduler.ts   (about 15 s; VTG_BENCH_SCALE changes the time scale)
 *
 * 1. Upstream calls per unique indicator when every indicator is asked for 50 times at once (target 1.00).
 * 2. Batch makespan over the theoretical minimum N / rate at the free key's 4 a minute (target <= 1.05).
 */
import { createHash } from 'node:crypto';
import { ScaledClock } from '../src/clock/index.js';
import { DEFAULT_LIMITS, MemoryGovernor, keyLabel } from '../src/governor/index.js';
import { parseIndicator } from '../src/indicators/index.js';
import { startMock } from '../src/mock/index.js';
import { VirusTotalClient, VirusTotalProvider } from '../src/providers/virustotal/index.js';
import { Scheduler } from '../src/scheduler/index.js';

const SCALE = Number(process.env.VTG_BENCH_SCALE ?? 50);
const UNIQUE = 20;
const DUPLICATION = 50;
const BATCH = 40;
const API_KEY = 'bench-key-0123456789abcdef0123456789abcdef0123456789abcdef01234567';

// Real network jitter is multiplied by the time scale: keep the sliding-minute margin above 40 ms
// of real time, as the product's 1 s margin is above real-world jitter at scale 1.
const LIMITS = {
  ...DEFAULT_LIMITS.virustotal,
  minuteMarginMs: Math.max(DEFAULT_LIMITS.virustotal.minuteMarginMs ?? 0, 40 * SCALE),
};

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const line = (label: string, value: string) => console.log(`${label.padEnd(52)} ${value}`);

async function setup(clock: ScaledClock) {
  const mock = await startMock({ profile: 'public', clock });
  const client = new VirusTotalClient({ apiKey: API_KEY, baseUrl: mock.url });
  const provider = new VirusTotalProvider(client, { clock });
  const governor = new MemoryGovernor({ clock });
  const key = keyLabel(API_KEY);
  governor.configure(key, LIMITS);
  // Warm code paths and connection, as in a running gateway: the first call of a cold process is
  // slow, and scaled time would turn that into seconds. Then zero the simulator's stats and quotas.
  await provider.lookup(parseIndicator(sha('warm-up')));
  mock.reset();
  const scheduler = new Scheduler({ governor, key, clock, interactiveReserve: 0 });
  const lookup = (hash: string) =>
    scheduler.run(({ permit, signal }) => provider.lookup(parseIndicator(hash), { permit, signal }), {
      key: `virustotal:file:${hash}`,
    });
  const close = async () => {
    await scheduler.close();
    await governor.close();
    await client.close();
    await mock.close();
  };
  return { mock, lookup, close };
}

function maxInSpan(times: number[], span: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while ((t[i] as number) - (t[j] as number) >= span) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

async function duplication(): Promise<number> {
  const clock = new ScaledClock(SCALE);
  const env = await setup(clock);
  try {
    const hashes = Array.from({ length: UNIQUE }, (_, i) => sha(`dup-${i}`));
    const calls: Promise<unknown>[] = [];
    for (let d = 0; d < DUPLICATION; d++) for (const h of hashes) calls.push(env.lookup(h));
    await Promise.all(calls);
    const stats = env.mock.stats();
    const upstream = stats.byEndpoint['GET /files/{id}'] ?? 0; // 429s included: they are calls too
    const perUnique = upstream / UNIQUE;
    line('duplication: lookups asked', `${calls.length} (${UNIQUE} unique x ${DUPLICATION})`);
    line('duplication: upstream calls', String(upstream));
    line('duplication: upstream 429s', String(stats.rejected429));
    line('upstream calls per unique indicator (target 1.00)', perUnique.toFixed(2));
    return perUnique;
  } finally {
    await env.close();
  }
}

async function makespan(): Promise<number> {
  const clock = new ScaledClock(SCALE);
  const env = await setup(clock);
  try {
    const hashes = Array.from({ length: BATCH }, (_, i) => sha(`batch-${i}`));
    const start = clock.now();
    await Promise.all(hashes.map((h) => env.lookup(h)));
    const elapsed = clock.now() - start;
    const ratePerMs = (DEFAULT_LIMITS.virustotal.minute as number) / 60_000;
    const ideal = BATCH / ratePerMs;
    const stats = env.mock.stats();
    const ratio = elapsed / ideal;
    line('makespan: batch size', `${BATCH} lookups at ${DEFAULT_LIMITS.virustotal.minute}/min`);
    line('makespan: measured (simulated time)', `${(elapsed / 1000).toFixed(1)} s`);
    line('makespan: theoretical minimum N / rate', `${(ideal / 1000).toFixed(1)} s`);
    line('makespan: upstream 429s', String(stats.rejected429));
    line('makespan: most calls in any 60 s', String(maxInSpan(stats.requests.map((r) => r.at), 60_000)));
    line('batch makespan / theoretical minimum (target <= 1.05)', ratio.toFixed(3));
    return ratio;
  } finally {
    await env.close();
  }
}

const realStart = Date.now();
const bound = setTimeout(() => {
  console.error('bench: exceeded 60 s, giving up');
  process.exit(2);
}, 60_000);
bound.unref();
line('time scale', `${SCALE}x (simulator and gateway share one ScaledClock)`);
line('governor limits', JSON.stringify(LIMITS));
const perUnique = await duplication();
const ratio = await makespan();
line('real time', `${((Date.now() - realStart) / 1000).toFixed(1)} s`);
const ok = perUnique === 1 && ratio <= 1.05;
line('result', ok ? 'PASS' : 'FAIL');
process.exitCode = ok ? 0 : 1;
