// The key pool drill with Redis: the Redis governor holds each key's windows and health, and the
// gateway runs in cluster mode (locks, shared cache). Same drill as key-pool.test.ts.
import { redisUnavailableReason } from '../test-support/redis-server.js';
import { keyPoolDrill } from './test-support/key-pool-drill.js';

keyPoolDrill({ redis: true, skip: redisUnavailableReason() ?? false });
