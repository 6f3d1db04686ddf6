import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, isRedisUnavailable } from '../../src/store/redis.js';
import { uniquePrefix } from '../helpers/redis-keys.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('isRedisUnavailable', () => {
  const redis = createRedis(REDIS_URL, 'request');
  const key = `${uniquePrefix('redis-errors')}:list`;
  afterAll(async () => {
    await redis.del(key).catch(() => undefined);
    redis.disconnect();
  });

  it('calls a reply error from a serving Redis a failure, not an outage', async () => {
    await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
    await redis.rpush(key, 'x');
    const error = await redis.get(key).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^WRONGTYPE/);
    expect(isRedisUnavailable(error, redis)).toBe(false);
  });

  it('calls any error of a connection that is not ready an outage, whatever its text', async () => {
    const closed = createRedis('redis://127.0.0.1:1', 'request', { retryStrategy: () => null });
    const error = await closed.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(isRedisUnavailable(error, closed)).toBe(true);
    closed.disconnect();
  });

  it('calls failover replies (READONLY, LOADING, MASTERDOWN) an outage', () => {
    for (const message of ['READONLY You can\'t write against a read only replica.', 'LOADING Redis is loading the dataset in memory', 'MASTERDOWN Link with MASTER is down']) {
      const error = Object.assign(new Error(message), { name: 'ReplyError' });
      expect(isRedisUnavailable(error, redis)).toBe(true);
    }
  });
});
