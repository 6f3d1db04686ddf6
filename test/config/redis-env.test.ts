import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/env.js';
import { testEnv } from '../helpers/test-config.js';

describe('Redis Sentinel configuration', () => {
  it('keeps REDIS_URL as the one Redis when no sentinels are named, with no replica to wait for', () => {
    const config = loadConfig(testEnv({ REDIS_URL: 'redis://:secret@10.0.0.5:6380/2' }));
    expect(config.redisUrl).toBe('redis://:secret@10.0.0.5:6380/2');
    expect(config.redis).toEqual({ url: 'redis://:secret@10.0.0.5:6380/2', password: undefined, sentinel: undefined });
    expect(config.durability).toEqual({ replicas: 0, timeoutMs: 1000 });
  });

  it('goes through the sentinels, with the group name, passwords and WAIT 1 by default', () => {
    const config = loadConfig(
      testEnv({ REDIS_SENTINELS: 's1:26379, s2:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'academy', REDIS_SENTINEL_PASSWORD: 'sp', REDIS_PASSWORD: 'dp' }),
    );
    expect(config.redis.sentinel).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'academy',
      password: 'sp',
    });
    expect(config.redis.password).toBe('dp');
    expect(config.durability).toEqual({ replicas: 1, timeoutMs: 1000 });
    expect(loadConfig(testEnv({ REDIS_SENTINELS: 's1:26379' })).redis.sentinel?.name).toBe('mymaster');
  });

  it('lets WAIT and the re-planning period be set, also to off', () => {
    const config = loadConfig(testEnv({ REDIS_SENTINELS: 's1:26379', REDIS_WAIT_REPLICAS: '0', REDIS_WAIT_TIMEOUT_MS: '250', RECONCILE_INTERVAL_SECONDS: '0' }));
    expect(config.durability).toEqual({ replicas: 0, timeoutMs: 250 });
    expect(config.reconcileIntervalMs).toBe(0);
    expect(loadConfig(testEnv({ REDIS_WAIT_REPLICAS: '2' })).durability.replicas).toBe(2);
    expect(loadConfig(testEnv()).reconcileIntervalMs).toBe(300_000);
  });

  it.each([
    ['REDIS_SENTINELS', 'no-port', 'REDIS_SENTINELS each entry is host:port'],
    ['REDIS_SENTINELS', 's1:0', 'REDIS_SENTINELS each port is 1 to 65535'],
    ['REDIS_SENTINEL_NAME', 'my master', 'REDIS_SENTINEL_NAME must be'],
    ['REDIS_WAIT_REPLICAS', 'one', 'REDIS_WAIT_REPLICAS must be a whole number from 0 to 16'],
    ['REDIS_WAIT_TIMEOUT_MS', '0', 'REDIS_WAIT_TIMEOUT_MS'],
  ])('stops at start on a bad %s (%s)', (name, value, message) => {
    expect(() => loadConfig(testEnv({ [name]: value }))).toThrow(ConfigError);
    expect(() => loadConfig(testEnv({ [name]: value }))).toThrow(`invalid configuration: ${message}`);
  });
});
