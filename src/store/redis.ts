import { Redis, type RedisOptions } from 'ioredis';

/** Where the data lives: one Redis at `url`, or the primary of a Sentinel group (password and db still from `url`). */
export interface RedisTarget {
  url: string;
  /** Overrides the password in `url` (REDIS_PASSWORD), so a secret need not sit inside a URL. */
  password?: string | undefined;
  sentinel?: RedisSentinel | undefined;
}

export interface RedisSentinel {
  sentinels: ReadonlyArray<{ host: string; port: number }>;
  /** The master group name the sentinels monitor. */
  name: string;
  password?: string | undefined;
}

/**
 * A demoted primary answers writes with READONLY until the connection moves: reconnect (through the
 * sentinels, to the new primary) and resend the command, which Redis refused and so never applied.
 */
const reconnectOnReadonly = (error: Error): 2 | false => (error.message.startsWith('READONLY') ? 2 : false);

function targetOptions(target: RedisTarget): RedisOptions {
  const sentinel = target.sentinel;
  return {
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(sentinel
      ? {
          sentinels: sentinel.sentinels.map((s) => ({ host: s.host, port: s.port })),
          name: sentinel.name,
          ...(sentinel.password !== undefined ? { sentinelPassword: sentinel.password } : {}),
          // Sentinels announce the switch on +switch-master: drop the connection then instead of waiting
          // for the old primary's socket to fail (it may hang rather than refuse when a machine is lost).
          failoverDetector: true,
          // rediss:// means TLS to the data nodes; ioredis only uses it in Sentinel mode when told to.
          ...(target.url.startsWith('rediss:') ? { enableTLSForSentinelMode: true } : {}),
        }
      : {}),
  };
}

/** How long a connection that ended on its own waits before it connects again (see `reviveUnexpectedEnd`). */
const REVIVE_DELAY_MS = 500;

/**
 * ioredis ends a Sentinel connection for good when the failover detector drops it while a reconnect is
 * asking the sentinels (its connect then fails with "Connection is closed." and the status becomes 'end'):
 * seen here on the second failover in a row. A connection nobody closed on purpose therefore connects
 * again, and so do its duplicates (BullMQ's blocking connections are duplicates of the worker's).
 */
export function reviveUnexpectedEnd(redis: Redis): Redis {
  let closing = false;
  const quit = redis.quit.bind(redis);
  const disconnect = redis.disconnect.bind(redis);
  const duplicate = redis.duplicate.bind(redis);
  redis.quit = (...args: Parameters<Redis['quit']>) => {
    closing = true;
    // QUIT ends the socket but leaves the failover detector's sentinel connections open (they would keep
    // the process alive and reconnect every minute); disconnect() closes them.
    return quit(...args).finally(() => disconnect());
  };
  redis.disconnect = (reconnect = false) => {
    if (!reconnect) closing = true;
    disconnect(reconnect);
  };
  redis.duplicate = (override) => reviveUnexpectedEnd(duplicate(override));
  redis.on('end', () => {
    if (closing) return;
    setTimeout(() => {
      if (!closing && redis.status === 'end') redis.connect().catch(() => undefined);
    }, REVIVE_DELAY_MS).unref();
  });
  return redis;
}

/**
 * Two kinds of connection, as BullMQ's production guide recommends: request paths fail fast while
 * Redis is down (so the API answers 503 instead of hanging), workers block and retry forever. Both follow
 * a Sentinel failover by themselves when the target names sentinels.
 */
export function createRedis(target: string | RedisTarget, kind: 'request' | 'worker', extra: RedisOptions = {}): Redis {
  const resolved: RedisTarget = typeof target === 'string' ? { url: target } : target;
  const base: RedisOptions =
    kind === 'request'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
      : { maxRetriesPerRequest: null, enableReadyCheck: true };
  const redis = new Redis(resolved.url, {
    ...base,
    ...targetOptions(resolved),
    lazyConnect: false,
    // Capped at a second: after a failover the new primary is usually up within a few seconds of the loss.
    retryStrategy: (times) => Math.min(times * 100, 1000),
    reconnectOnError: reconnectOnReadonly,
    ...extra,
  });
  return resolved.sentinel ? reviveUnexpectedEnd(redis) : redis;
}

/** Where a target points, for messages: the sentinels (and group) or the single host; never a password. */
export function describeTarget(target: string | RedisTarget): string {
  const resolved: RedisTarget = typeof target === 'string' ? { url: target } : target;
  if (resolved.sentinel) {
    return `the sentinels ${resolved.sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(',')} (group ${resolved.sentinel.name})`;
  }
  return new URL(resolved.url).host;
}

/**
 * ioredis refuses a command on a socket that has ended with a plain Error and this text, and its status can
 * still read 'ready' then (the socket ended, its close not yet handled): the one case told by its text.
 */
const OFFLINE_REFUSAL = "Stream isn't writeable and enableOfflineQueue options is false";

/** Redis's own error codes (the first word of a reply error) for a server that cannot serve yet: failover, load. */
const NOT_SERVING = new Set(['LOADING', 'READONLY', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN', 'NOREPLICAS']);

/**
 * An acknowledged write must have reached `replicas` replicas (WAIT) before it is answered; this one
 * did not within the time allowed, or the connection changed before it could be confirmed. The write may
 * still be on the primary: the caller answers "try again", and every such write here is idempotent.
 */
export class WriteNotReplicatedError extends Error {
  readonly statusCode = 503;
  constructor(detail: string) {
    super(`write not confirmed by a replica: ${detail}`);
    this.name = 'WriteNotReplicatedError';
  }
}

/**
 * Whether a failed call means "Redis is unavailable, try again shortly" rather than a bug: ioredis gave up
 * retrying (MaxRetriesPerRequestError) or aborted a command when the connection closed (AbortError), a
 * write was not confirmed by a replica, the connection is not ready (its status says so, whatever the error
 * text) or was found ended, or the server answered that it cannot serve now. Any other reply error is a real failure.
 */
export function isRedisUnavailable(error: unknown, connection: Pick<Redis, 'status'>): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof WriteNotReplicatedError) return true;
  if (error.name === 'MaxRetriesPerRequestError' || error.name === 'AbortError') return true;
  if (error.name === 'ReplyError') return NOT_SERVING.has(error.message.split(' ', 1)[0] ?? '');
  return connection.status !== 'ready' || error.message === OFFLINE_REFUSAL;
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

/** Every key matching a glob pattern, a SCAN page at a time; for rare whole-event sweeps (erasure), not hot paths. */
export async function scanKeys(redis: Redis, pattern: string, count = 1000): Promise<string[]> {
  const out = new Set<string>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    // SCAN may return a key more than once.
    for (const key of found) out.add(key);
  } while (cursor !== '0');
  return [...out];
}

/** A literal key part inside a SCAN/KEYS pattern: glob characters stand for themselves. */
export const globLiteral = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

export interface KeySpace {
  prefix: string;
  key(...parts: string[]): string;
}

export function keySpace(prefix = 'ao'): KeySpace {
  return { prefix, key: (...parts) => [prefix, ...parts].join(':') };
}
