/**
 * A simulated month on the fake clock: the same quota (200 calls a day), the same analyst traffic and
 * the same simulator drift (some verdicts change every day), once with the nightly harvest and once
 * without. Prints how many verdict changes the gateway found each way. Run: npm run bench -- harvest
 * Options: --days N (default 30), --daily N analyst lookups a day (default 40).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../src/clock/index.js';
import { loadConfig } from '../src/config/index.js';
import { Gateway } from '../src/gateway/index.js';
import { startMock } from '../src/mock/index.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const DAYS = arg('days', 30);
const DAILY = arg('daily', 40);
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const hex = (i: number) => Buffer.from(`month:${i}`).toString('hex').padEnd(64, 'b').slice(0, 64);

/** Deterministic PRNG, so both runs see the same traffic and the same drift. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function month(harvest: boolean) {
  const clock = new FakeClock(Date.UTC(2026, 3, 1, 0));
  // The simulator keeps its quota windows on the same fake clock: on its own (real) clock a month's
  // calls, made within a real minute, ran into its per-minute limit on day 8 and the run waited forever.
  const mock = await startMock({ profile: 'premium', clock });
  const dir = mkdtempSync(join(tmpdir(), 'vtg-bench-harvest-'));
  const gw = await Gateway.open({
    clock,
    background: false,
    config: loadConfig({
      env: {
        HOME: dir,
        VTG_DATA_DIR: dir,
        VT_API_KEY: 'BENCHKEY-0123456789abcdef0123456789abcdef0123456789abcdef012345',
        VTG_VIRUSTOTAL_URL: mock.url,
        VTG_VT_LIMITS: 'minute=100000,day=200,month=6200,burst=100000',
        VTG_RECONCILE_INTERVAL: '86400',
        VTG_HARVEST: harvest ? 'on' : 'off',
      },
    }),
  });
  const rand = prng(7);
  let seen = 0;
  let harvested = 0;
  let analystCalls = 0;
  const before = gw.stats();
  for (let day = 0; day < DAYS; day++) {
    const start = Date.UTC(2026, 3, 1) + day * DAY;
    await clock.runUntil(start + 10 * HOUR);
    // the simulator's verdicts move: a young sample more often than an old one
    for (let i = 0; i < seen; i++) {
      const age = day - Math.floor(i / DAILY);
      if (rand() < (age < 7 ? 0.08 : 0.01)) {
        const malicious = Math.floor(rand() * 30) + 3;
        mock.setVerdict('file', hex(i), { malicious, suspicious: 0, undetected: 70 - malicious, harmless: 0 });
      }
    }
    // the analyst: new samples and a few old ones, at interactive priority
    const todays = Array.from({ length: DAILY }, (_, k) => (k < DAILY * 0.75 || seen === 0 ? hex(seen + k) : hex(Math.floor(rand() * seen))));
    const calls0 = gw.stats().upstreamCalls;
    await gw.lookupMany(todays, { priority: 'interactive' });
    analystCalls += gw.stats().upstreamCalls - calls0;
    if (day === 0) await gw.watchlists.add('campaign', todays.slice(0, 10));
    seen += Math.ceil(DAILY * 0.75);
    await clock.runUntil(start + 22 * HOUR + 5 * 60_000);
    const r = await gw.harvestNow();
    harvested += r?.calls ?? 0;
  }
  const after = gw.stats();
  const result = { changes: after.changes - before.changes, harvested, analystCalls, upstreamCalls: after.upstreamCalls, yield: gw.harvest.counters.calls ? gw.harvest.counters.changes / gw.harvest.counters.calls : 0 };
  await gw.close();
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

const off = await month(false);
const on = await month(true);
console.log(`simulated ${DAYS} days, 200 calls a day, ${DAILY} analyst lookups a day, the same simulator drift in both runs`);
console.log(`without harvest: ${off.changes} verdict changes found, ${off.upstreamCalls} upstream calls (analyst ${off.analystCalls})`);
console.log(
  `with harvest:    ${on.changes} verdict changes found, ${on.upstreamCalls} upstream calls (analyst ${on.analystCalls}, harvest ${on.harvested}; yield ${on.yield.toFixed(3)} changes per harvested call)`,
);
