/** The scheduled harvest on the fake clock: its budget, the order it spends it in, yielding and 429s. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { billableCalls, openHarness } from './test-support/harness.js';

const HOUR = 3600_000;
const hashes = (n: number, salt: string) =>
  Array.from({ length: n }, (_, i) => Buffer.from(`${salt}-${i}`).toString('hex').padEnd(64, '0').slice(0, 64));

/** 200 lookups at 10:00 UTC (of 500 a day), 5 of them on a watchlist, then the clock at 22:00. */
async function dayAt22(limits: string, mock: Parameters<typeof openHarness>[0] = {}) {
  const clock = new FakeClock(Date.UTC(2026, 2, 10, 10));
  const h = await openHarness({
    clock,
    background: false,
    ...mock,
    env: { VTG_VT_LIMITS: limits, VTG_INTERACTIVE_RESERVE: '0.2', VTG_HARVEST_MARGIN: '10', VTG_RECONCILE_INTERVAL: '86400' },
  });
  const list = hashes(200, 'day');
  const out = await h.gateway.lookupMany(list);
  assert.ok(out.every((o) => o.ok));
  const watched = [list[7], list[70], list[120], list[150], list[199]] as string[];
  await h.gateway.watchlists.add('iocs', watched);
  await clock.advance(12 * HOUR);
  return { h, clock, list, watched };
}

test('22:00 UTC with 300 of 500 left and a 20 % reserve: spends at most 200 minus the margin, due watchlist items first', async () => {
  const { h, watched } = await dayAt22('minute=100000,day=500,month=1000000,burst=1000');
  after(() => h.close());
  const before = billableCalls(h.mock);
  const b = await h.gateway.harvestBudget();
  assert.equal(b.dayLeftAtMidnight, 300);
  assert.equal(b.reserve, 100);
  assert.equal(b.budget, 190, b.reason);
  const r = await h.gateway.harvestNow();
  assert.ok(r);
  const spent = billableCalls(h.mock) - before;
  assert.ok(spent <= 200 - 10, `spent ${spent}`);
  assert.equal(spent, r.calls);
  assert.deepEqual(r.refreshed.slice(0, 5).map((x) => x.id).sort(), [...watched].sort());
  assert.ok(r.refreshed.slice(0, 5).every((x) => x.source === 'watchlist'));
  // spent: nothing more to spare today
  assert.equal((await h.gateway.harvestBudget()).budget, 0);
});

test('outside the last hours of the day, when off, or when the month is tight, it spends nothing', async () => {
  // the month's remainder (400 - 200) spread over its 22 remaining days is 9 a day, under the margin
  const { h, clock } = await dayAt22('minute=100000,day=500,month=400,burst=1000');
  after(() => h.close());
  const before = billableCalls(h.mock);
  const b = await h.gateway.harvestBudget();
  assert.equal(b.budget, 0);
  assert.match(b.reason, /month is tight/);
  assert.equal(await h.gateway.harvestNow(), undefined);
  assert.equal(billableCalls(h.mock), before);
  await clock.advance(3 * HOUR); // 01:00 the next day
  assert.match((await h.gateway.harvestBudget()).reason, /outside the last 2 h/);
});

test('an interactive lookup during a harvest waits for no harvest call: the harvest yields', async () => {
  const { h } = await dayAt22('minute=100000,day=500,month=1000000,burst=1000', { mock: { faults: { latencyMs: 20 } } });
  after(() => h.close());
  const start = billableCalls(h.mock);
  const running = h.gateway.harvestNow();
  while (billableCalls(h.mock) - start < 3) await new Promise((r) => setTimeout(r, 5));
  const atAsk = billableCalls(h.mock);
  const answer = await h.gateway.lookup(hashes(1, 'analyst')[0] as string);
  assert.equal(answer.source, 'upstream');
  // at most the one harvest call already in flight went before it
  assert.ok(billableCalls(h.mock) - atAsk <= 2, `${billableCalls(h.mock) - atAsk} calls between the ask and the answer`);
  const r = await running;
  assert.equal(r?.stopped, 'yielded');
  assert.ok((r?.calls ?? 0) < 10);
});

test('a 429 from upstream stops the harvest at once', async () => {
  const { h } = await dayAt22('minute=100000,day=500,month=1000000,burst=1000');
  after(() => h.close());
  h.mock.setFaults({ quotaStorm: true });
  const before = billableCalls(h.mock);
  const r = await h.gateway.harvestNow();
  assert.equal(r?.stopped, 'rate-limited');
  assert.ok(billableCalls(h.mock) - before <= 1, `${billableCalls(h.mock) - before} calls after the 429`);
});
