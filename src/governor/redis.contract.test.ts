import { after, before } from 'node:test';
import { REDIS_SKIP_MESSAGE, type TestRedisServer, redisServerAvailable, startRedisServer } from '../test-support/redis-server.js';
import { type GovernorFactory, governorContract } from './contract.test-support.js';
import { poolContract } from './pool.contract.test-support.js';
import { RedisGovernor } from './redis.js';

const available = redisServerAvailable();
let server: TestRedisServer | undefined;
const open: RedisGovernor[] = [];
let seq = 0;

before(async () => {
  if (available) server = await startRedisServer();
});

after(async () => {
  for (const g of open) await g.close().catch(() => {});
  await server?.stop();
});

const redisFactory: GovernorFactory = async (clock) => {
    // a fresh prefix per test: an empty shared state on the one server
    const prefix = `contract${seq++}:`;
    const make = () => {
      const g = new RedisGovernor({ redis: (server as TestRedisServer).url, clock, prefix });
      open.push(g);
      return g;
    };
    let gov = make();
    return {
      gov,
      async restart() {
        await gov.close();
        gov = make();
        return gov;
      },
    };
};

governorContract('RedisGovernor', redisFactory, { skip: !available && REDIS_SKIP_MESSAGE });
poolContract('RedisGovernor', redisFactory, { skip: !available && REDIS_SKIP_MESSAGE });
