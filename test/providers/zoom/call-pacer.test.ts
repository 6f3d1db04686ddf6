import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createCallPacer } from '../../../src/providers/zoom/call-pacer.js';
import { deleteKeys, uniquePrefix } from '../../helpers/redis-keys.js';

const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const other = redis.duplicate();
const prefix = uniquePrefix('pacer');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  other.disconnect();
});

describe('call pacer', () => {
  it('lets at most max calls start in any window, across processes sharing Redis', async () => {
    const limit = { max: 5, windowMs: 300 };
    const a = createCallPacer(redis, `${prefix}:heavy`, limit);
    const b = createCallPacer(other, `${prefix}:heavy`, limit);
    const started: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        await (i % 2 === 0 ? a : b).acquire();
        started.push(performance.now() - t0);
      }),
    );
    started.sort((x, y) => x - y);
    // 16 calls at 5 per 300 ms need at least three further windows after the first five.
    expect(started.at(-1)).toBeGreaterThanOrEqual(3 * limit.windowMs - 20);
    for (let i = limit.max; i < started.length; i++) {
      // the (i+1)-th call starts a full window after the call max places earlier (5 ms of timer slack)
      expect(started[i]! - started[i - limit.max]!).toBeGreaterThanOrEqual(limit.windowMs - 5);
    }
  });
});
