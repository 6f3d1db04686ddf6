import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import { systemClock, type Clock } from './clock.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import type { Readiness } from './http/ops/ops-routes.js';
import type { Logger } from './logger.js';
import { createEventService, type EventService } from './services/event-service.js';
import { createEventStore } from './store/event-store.js';
import { createRedis, keySpace, type KeySpace } from './store/redis.js';

export interface Deps {
  config: Config;
  logger: Logger;
  clock: Clock;
  keys: KeySpace;
  redis: Redis;
  metrics: Metrics;
  readiness: Readiness;
  events: EventService;
  /** Closes what createDeps opened, in order: consumers first, Redis last. */
  close(): Promise<void>;
}

export class RedisUnreachableError extends Error {
  constructor(url: string) {
    super(`Redis at ${new URL(url).host} did not answer; start one (e.g. \`redis-server\`) or set REDIS_URL`);
    this.name = 'RedisUnreachableError';
  }
}

/** Request connections do not queue offline, so boot waits for the first connection (bounded). */
async function waitForRedis(redis: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      redis.disconnect();
      reject(new RedisUnreachableError(url));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

export interface DepsOverrides {
  clock?: Clock;
  keyPrefix?: string;
}

/** The one composition root: everything with a lifetime is created, wired and closed here. */
export async function createDeps(config: Config, logger: Logger, overrides: DepsOverrides = {}): Promise<Deps> {
  const clock = overrides.clock ?? systemClock;
  const keys = keySpace(overrides.keyPrefix ?? 'ao');
  const redis = createRedis(config.redisUrl, 'request');
  redis.on('error', (error) => logger.warn({ err: { message: error.message } }, 'redis connection error'));
  await waitForRedis(redis, config.redisUrl);
  const metrics = createMetrics();
  const events = createEventService({ store: createEventStore(redis, keys), clock });

  return {
    config,
    logger,
    clock,
    keys,
    redis,
    metrics,
    readiness: {
      async check() {
        if ((await redis.ping()) !== 'PONG') throw new Error('redis did not answer PONG');
      },
    },
    events,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
