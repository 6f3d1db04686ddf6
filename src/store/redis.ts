import { Redis, type RedisOptions } from 'ioredis';

/**
 * Two kinds of connection, as BullMQ's production guide recommends: request paths fail fast while
 * Redis is down (so the API answers 503 instead of hanging), workers block and retry forever.
 */
export function createRedis(url: string, kind: 'request' | 'worker', extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    kind === 'request'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
      : { maxRetriesPerRequest: null, enableReadyCheck: true };
  return new Redis(url, {
    ...base,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}

/** Deletes every key matching a glob pattern, a SCAN page at a time (never KEYS, which blocks Redis). */
export async function deleteMatching(redis: Redis, pattern: string, count = 1000): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
}

export interface KeySpace {
  prefix: string;
  key(...parts: string[]): string;
}

export function keySpace(prefix = 'ao'): KeySpace {
  return { prefix, key: (...parts) => [prefix, ...parts].join(':') };
}
