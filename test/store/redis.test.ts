import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedis, isRedisUnavailable, reviveUnexpectedEnd, WriteNotReplicatedError } from '../../src/store/redis.js';
import { OwnRedis } from '../helpers/own-redis.js';
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

  it('calls an unconfirmed write, an aborted command and a refusal on an ended socket an outage, even while the status reads ready', async () => {
    await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
    expect(isRedisUnavailable(new WriteNotReplicatedError('0 of 1 replicas within 1000 ms'), redis)).toBe(true);
    expect(isRedisUnavailable(Object.assign(new Error('Command aborted due to connection close'), { name: 'AbortError' }), redis)).toBe(true);
    expect(isRedisUnavailable(new Error("Stream isn't writeable and enableOfflineQueue options is false"), redis)).toBe(true);
    expect(isRedisUnavailable(new Error('something else'), redis)).toBe(false);
  });
});

describe('reviveUnexpectedEnd', () => {
  let own: OwnRedis;
  afterAll(async () => {
    await own?.destroy();
  });

  it('connects again after an end nobody asked for, also for duplicates, and stays closed after quit', async () => {
    own = await OwnRedis.create();
    await own.start();
    // No retry strategy: losing the server ends the connection, as ioredis's Sentinel connector sometimes does.
    const redis = reviveUnexpectedEnd(new Redis(own.url, { retryStrategy: () => null, maxRetriesPerRequest: 0 }));
    redis.on('error', () => undefined);
    const twin = redis.duplicate();
    twin.on('error', () => undefined);
    await Promise.all([redis.ping(), twin.ping()]);
    const ended = Promise.all([new Promise((r) => redis.once('end', r)), new Promise((r) => twin.once('end', r))]);
    await own.stop();
    await ended;
    await own.start();
    await expect.poll(async () => [await redis.ping().catch(() => 'down'), await twin.ping().catch(() => 'down')], { timeout: 10_000, interval: 100 }).toEqual(['PONG', 'PONG']);
    await redis.quit();
    twin.disconnect();
    await new Promise((r) => setTimeout(r, 1000));
    expect([redis.status, twin.status]).toEqual(['end', 'end']);
  });
});
