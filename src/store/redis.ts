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

/** Redis's own error codes (the first word of a reply error) for a server that cannot serve yet: failover, load. */
const NOT_SERVING = new Set(['LOADING', 'READONLY', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN', 'NOREPLICAS']);

/**
 * Whether a failed call means "Redis is unavailable, try again shortly" rather than a bug: ioredis gave up
 * retrying (MaxRetriesPerRequestError), the connection is not ready (its status says so, whatever the error
 * text), or the server answered that it cannot serve now. Any other reply error is a real failure.
 */
export function isRedisUnavailable(error: unknown, connection: Pick<Redis, 'status'>): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  if (error.name === 'ReplyError') return NOT_SERVING.has(error.message.split(' ', 1)[0] ?? '');
  return connection.status !== 'ready';
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
