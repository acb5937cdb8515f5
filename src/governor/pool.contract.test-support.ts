/**
 * Key pools over every Governor implementation: memory.contract.test.ts and redis.contract.test.ts
 * run these beside the governor contract. Time is a FakeClock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../clock/index.js';
import { drive, type GovernorFactory, T0 } from './contract.test-support.js';
import { KeyUnhealthyError } from './errors.js';
import { KeyPool, type KeyPolicy } from './pool.js';
import { PooledGovernor } from './pooled.js';
import type { QuotaLimits } from './types.js';

const A = 'vt:pool-a';
const B = 'vt:pool-b';

export function poolContract(name: string, factory: GovernorFactory, options: { skip?: string | false } = {}): void {
  describe(`Key pool: ${name}`, { skip: options.skip ?? false }, () => {
    async function setup(a: QuotaLimits, b: QuotaLimits, policy: KeyPolicy = 'primary-first') {
      const clock = new FakeClock(T0);
      const { gov } = await factory(clock);
      gov.configure(A, a);
      gov.configure(B, b);
      const pool = new KeyPool(gov, [{ key: A, label: 'team-a' }, { key: B, label: 'team-b' }], policy, clock);
      return { clock, gov, pool };
    }
    const grants = async (pool: KeyPool, n: number, reserve = 0) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const r = await pool.tryAcquire({ reserve });
        out.push(r.ok ? r.key : `wait:${r.reason}`);
      }
      return out;
    };

    test('primary-first: the first key until it is full, then the next; then the earliest wait', async () => {
      const { pool } = await setup({ minute: 2 }, { minute: 2 });
      assert.deepEqual(await grants(pool, 4), [A, A, B, B]);
      assert.deepEqual(await pool.tryAcquire(), { ok: false, retryInMs: 60_000, reason: 'minute' });
    });

    test('spread: each call to the key with most room', async () => {
      const { pool } = await setup({ minute: 4 }, { minute: 4 }, 'spread');
      assert.deepEqual(await grants(pool, 4), [A, B, A, B]);
    });

    test('two public keys (4/min, burst 1 each) serve 8 calls a minute, each key within its own limit', async () => {
      const { clock, gov, pool } = await setup({ minute: 4, burst: 1 }, { minute: 4, burst: 1 });
      const got: Array<[string, number]> = [];
      for (let i = 0; i < 8; i++) {
        let key: string | undefined;
        const p = pool.acquire().then((k) => {
          key = k;
        });
        await drive(clock, () => key !== undefined, 120_000);
        await p;
        got.push([key as string, clock.now() - T0]);
      }
      assert.deepEqual(got, [
        [A, 0],
        [B, 0],
        [A, 15_000],
        [B, 15_000],
        [A, 30_000],
        [B, 30_000],
        [A, 45_000],
        [B, 45_000],
      ]);
      for (const k of [A, B]) assert.equal((await gov.summary(k)).windows.find((w) => w.window === 'minute')?.used, 4);
    });

    test('one interactive reserve over the pool: batch work stops at 80 % of the pool, interactive takes the rest', async () => {
      const { pool } = await setup({ day: 10 }, { day: 10 });
      // per key it would stop at 8 + 8; over the pool it spends 16 of 20, the first key whole
      const batch = await grants(pool, 17, 0.2);
      assert.deepEqual(batch.slice(0, 16), [...Array(10).fill(A), ...Array(6).fill(B)]);
      assert.equal(batch[16], 'wait:reserve');
      assert.deepEqual(await grants(pool, 5), [B, B, B, B, 'wait:day']);
    });

    test('a refused key leaves rotation: calls go to the others; none left is KeyUnhealthyError', async () => {
      const { gov, pool } = await setup({ minute: 10 }, { minute: 10 });
      gov.setKeyHealthy(A, false);
      assert.deepEqual(await grants(pool, 2), [B, B]);
      assert.equal(await pool.anyHealthy(B), false);
      const keys = (await pool.summary('pool')).keys ?? [];
      assert.deepEqual(keys.map((k) => [k.label, k.revoked]), [['team-a', true], ['team-b', false]]);
      gov.setKeyHealthy(B, false);
      await assert.rejects(pool.tryAcquire(), KeyUnhealthyError);
      await assert.rejects(pool.acquire(), KeyUnhealthyError);
    });

    test('the pool answers under its own name: summed windows and limits, per-key labels, pool ETA', async () => {
      const { gov, pool } = await setup({ minute: 4, day: 100 }, { minute: 4, day: 50 });
      const view = new PooledGovernor(gov, new Map([['virustotal:pool', pool]]));
      await view.acquire('virustotal:pool');
      const s = await view.summary('virustotal:pool');
      assert.equal(s.key, 'virustotal:pool');
      assert.deepEqual(s.windows.map((w) => [w.window, w.used, w.limit]), [['minute', 1, 8], ['day', 1, 150]]);
      assert.deepEqual(s.keys?.map((k) => [k.label, k.windows[0]?.used]), [['team-a', 1], ['team-b', 0]]);
      assert.deepEqual(view.limits('virustotal:pool'), { minute: 8, day: 150 });
      assert.equal(await view.eta('virustotal:pool', 7), 0, 'seven more fit in the two minutes');
      const eta = await view.eta('virustotal:pool', 11);
      // one key alone would need two more minutes; the pool needs one
      assert.ok(eta >= 60_000 && eta <= 61_000, String(eta));
      // other keys pass through
      assert.equal((await view.summary(A)).key, A);
    });
  });
}
