import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';
import type { Config } from '../config/env.js';
import { systemClock, type Clock } from './clock.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import type { Readiness } from './http/ops/ops-routes.js';
import type { Logger } from './logger.js';
import { createBbbClient, type BbbClient } from './providers/bbb/bbb-client.js';
import { createQueues, type Queues } from './queue/queues.js';
import { createBbbRooms, type BbbRooms } from './services/bbb-rooms.js';
import { createEventService, type EventService } from './services/event-service.js';
import { createJoinService, type JoinService } from './services/join-service.js';
import { createParticipantAccess, type ParticipantAccess } from './services/participant-access.js';
import { createParticipantService, type ParticipantService } from './services/participant-service.js';
import { createProvisioningService, type ProvisioningService } from './services/provisioning-service.js';
import { createEventStore, type EventStore } from './store/event-store.js';
import { createParticipantStore, type ParticipantStore } from './store/participant-store.js';
import { createRedis, keySpace, type KeySpace } from './store/redis.js';
import { createRoomStateStore, type RoomStateStore } from './store/room-state-store.js';
import { Counter as PromCounter } from 'prom-client';

export interface Deps {
  config: Config;
  logger: Logger;
  clock: Clock;
  keys: KeySpace;
  redis: Redis;
  metrics: Metrics;
  joinOutcomes: Counter<'provider' | 'outcome'>;
  readiness: Readiness;
  eventStore: EventStore;
  participantStore: ParticipantStore;
  roomStates: RoomStateStore;
  queues: Queues;
  events: EventService;
  participants: ParticipantService;
  provisioning: ProvisioningService;
  access: ParticipantAccess;
  joins: JoinService;
  bbb: { client: BbbClient; rooms: BbbRooms } | undefined;
  zoomLimiter: { max: number; duration: number };
  /** Closes what createDeps opened, in order: queues, then Redis. */
  close(): Promise<void>;
}

export interface DepsOverrides {
  clock?: Clock;
  keyPrefix?: string;
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

/** The one composition root: everything with a lifetime is created, wired and closed here. */
export async function createDeps(config: Config, logger: Logger, overrides: DepsOverrides = {}): Promise<Deps> {
  const clock = overrides.clock ?? systemClock;
  const keys = keySpace(overrides.keyPrefix ?? 'ao');
  const redis = createRedis(config.redisUrl, 'request');
  redis.on('error', (error) => logger.warn({ err: { message: error.message } }, 'redis connection error'));
  await waitForRedis(redis, config.redisUrl);

  const metrics = createMetrics();
  const joinOutcomes = new PromCounter({
    name: 'participant_joins_total',
    help: 'Join link requests by provider and outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [metrics.registry],
  });
  const eventStore = createEventStore(redis, keys);
  const participantStore = createParticipantStore(redis, keys);
  const roomStates = createRoomStateStore(redis, keys);
  const queues = createQueues(redis, keys.prefix);

  const provisioning = createProvisioningService({
    queues,
    rooms: roomStates,
    clock,
    logger,
    bbbLeadMinutes: config.bbb?.warmupLeadMinutes ?? 10,
    providers: { bbb: config.bbb !== undefined, zoom: config.zoom !== undefined },
  });
  const events = createEventService({
    store: eventStore,
    clock,
    onChanged: async (event) => {
      try {
        await provisioning.reconcile(event);
      } catch (error) {
        // The programme is stored; the worker reconciles every event again when it starts.
        logger.error({ eventId: event.programme.id, err: { message: (error as Error).message } }, 'provisioning reconcile failed');
      }
    },
  });

  const bbbClient = config.bbb && createBbbClient({ baseUrl: config.bbb.url, secret: config.bbb.secret, algorithm: config.bbb.algorithm });
  const bbb = bbbClient && {
    client: bbbClient,
    rooms: createBbbRooms({ bbb: bbbClient, redis, keys, clock, publicBaseUrl: config.http.publicBaseUrl }),
  };
  const signingKey = config.signingKeys[0];
  if (!signingKey) throw new Error('LINK_SIGNING_KEYS is empty');
  const participants = createParticipantService({
    events: eventStore,
    participants: participantStore,
    clock,
    signingKey,
    publicBaseUrl: config.http.publicBaseUrl,
  });
  const access = createParticipantAccess({ events: eventStore, participants: participantStore, signingKeys: config.signingKeys, clock });
  const joins = createJoinService({ access, clock, bbb, zoom: undefined });

  return {
    config,
    logger,
    clock,
    keys,
    redis,
    metrics,
    joinOutcomes,
    readiness: {
      async check() {
        if ((await redis.ping()) !== 'PONG') throw new Error('redis did not answer PONG');
      },
    },
    eventStore,
    participantStore,
    roomStates,
    queues,
    events,
    participants,
    provisioning,
    access,
    joins,
    bbb,
    zoomLimiter: { max: 10, duration: 1000 },
    async close() {
      await queues.close().catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
