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
import {
  createParticipantAccess,
  createParticipantCache,
  listenForParticipantChanges,
  type ParticipantAccess,
  type ParticipantCache,
} from './services/participant-access.js';
import { createParticipantService, type ParticipantService } from './services/participant-service.js';
import { createProvisioningService, type ProvisioningService } from './services/provisioning-service.js';
import { createEventStore, type EventStore } from './store/event-store.js';
import { createParticipantStore, participantChangesChannel, type ParticipantStore } from './store/participant-store.js';
import { createRedis, isRedisUnavailable, keySpace, type KeySpace } from './store/redis.js';
import { createRoomStateStore, type RoomStateStore } from './store/room-state-store.js';
import { createAttendanceStore, type AttendanceStore } from './store/attendance-store.js';
import { registerStateMetrics } from './http/ops/state-metrics.js';
import { bullmqLimiterFor, zoomLabelLimit, type BullmqLimiter } from './providers/zoom/rate-limits.js';
import { createCallPacer, type CallPacer } from './providers/zoom/call-pacer.js';
import { createZoomClient, type ZoomClient } from './providers/zoom/zoom-client.js';
import type { QueueName } from './queue/job-registry.js';
import { createZoomJoins } from './services/zoom/zoom-joins.js';
import { createPlanService, type PlanService } from './services/plan-service.js';
import { createZoomWebhookService, type ZoomWebhookService } from './services/zoom-webhook-service.js';
import { createZoomStore, type ZoomStore } from './store/zoom-store.js';

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
  attendance: AttendanceStore;
  webhooks: ZoomWebhookService;
  /** These three are read by the HTTP layer: Deps is what every caller passes to buildApp. */
  zoomWebhookSecretToken: string | undefined;
  organizerTokens: readonly string[];
  metricsToken: string | undefined;
  isStorageUnavailable(error: unknown): boolean;
  publicBaseUrl: string;
  queues: Queues;
  events: EventService;
  participants: ParticipantService;
  provisioning: ProvisioningService;
  plans: PlanService;
  access: ParticipantAccess;
  participantCache: ParticipantCache;
  joins: JoinService;
  bbb: { client: BbbClient; rooms: BbbRooms } | undefined;
  zoom:
    | {
        client: ZoomClient;
        userId: string;
        /** Paces HEAVY calls (batch registration) across processes at the plan's per-second rate. */
        heavyCalls: CallPacer;
        onWebinarKnown?: (webinarId: string, eventId: string, roomId: string) => Promise<void>;
      }
    | undefined;
  zoomStore: ZoomStore;
  /** Per-queue BullMQ limiters sized from Zoom's per-label rates for the configured plan. */
  limiters: Partial<Record<QueueName, BullmqLimiter>>;
  /** Closes what createDeps opened, in order: queues, the change listener, then Redis. */
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

/**
 * Our limiter's window opens when a job starts, Zoom's when the request arrives a few milliseconds later;
 * a slightly longer window keeps the two from overlapping into an eleventh call in Zoom's second (a 429
 * pauses the queue for a whole second, far more than the margin costs).
 */
const LIMITER_MARGIN_MS = 20;
const withMarginWindow = (limit: { max: number; windowMs: number }) => ({ max: limit.max, windowMs: limit.windowMs + LIMITER_MARGIN_MS });
const withMargin = (limiter: BullmqLimiter): BullmqLimiter => ({ max: limiter.max, duration: limiter.duration + LIMITER_MARGIN_MS });

/** The one composition root: everything with a lifetime is created, wired and closed here. */
export async function createDeps(config: Config, logger: Logger, overrides: DepsOverrides = {}): Promise<Deps> {
  const clock = overrides.clock ?? systemClock;
  const keys = keySpace(overrides.keyPrefix ?? config.redisKeyPrefix);
  const redis = createRedis(config.redisUrl, 'request');
  redis.on('error', (error) => logger.warn({ err: { message: error.message } }, 'redis connection error'));
  await waitForRedis(redis, config.redisUrl);

  const metrics = createMetrics();
  const joinOutcomes = metrics.joins;

  const eventStore = createEventStore(redis, keys);
  // Participants are cached per process; changes reach the other processes over pub/sub, this one directly.
  const participantCache = createParticipantCache();
  const participantStore = createParticipantStore(redis, keys, { onChanged: (change) => participantCache.invalidate(change) });
  const participantChanges = listenForParticipantChanges(
    createRedis(config.redisUrl, 'worker', { connectionName: `${keys.prefix}:participant-changes` }),
    participantChangesChannel(keys),
    participantCache,
    logger,
  );
  const roomStates = createRoomStateStore(redis, keys);
  const attendance = createAttendanceStore(redis, keys);
  const zoomStore = createZoomStore(redis, keys);
  const queues = createQueues(redis, keys.prefix);
  registerStateMetrics(metrics.registry, { queues, events: eventStore, rooms: roomStates, clock });

  const provisioning = createProvisioningService({
    queues,
    rooms: roomStates,
    clock,
    logger,
    bbbLeadMinutes: config.bbb?.warmupLeadMinutes ?? 10,
    providers: { bbb: config.bbb !== undefined, zoom: config.zoom !== undefined },
    zoomStore,
  });
  const plans = createPlanService({
    rooms: roomStates,
    participants: participantStore,
    zoomStore,
    clock,
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

  const bbbClient =
    config.bbb &&
    createBbbClient({
      baseUrl: config.bbb.url,
      secret: config.bbb.secret,
      algorithm: config.bbb.algorithm,
      observe: ({ callName, outcome, durationMs }) => {
        metrics.providerDuration.observe({ provider: 'bbb', call: callName, outcome }, durationMs / 1000);
        if (outcome !== 'ok') metrics.providerErrors.inc({ provider: 'bbb', call: callName, kind: outcome });
      },
    });
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
    onChanged: (eventId) => provisioning.participantsChanged(eventId),
  });
  const access = createParticipantAccess({ events: eventStore, participants: participantStore, signingKeys: config.signingKeys, clock, cache: participantCache });
  const zoom = config.zoom && {
    client: createZoomClient({
      accountId: config.zoom.accountId,
      clientId: config.zoom.clientId,
      clientSecret: config.zoom.clientSecret,
      apiUrl: config.zoom.apiUrl,
      oauthUrl: config.zoom.oauthUrl,
      redis,
      keyPrefix: keys.key('zoom-token'),
      observe: ({ status, durationMs, rateLimitRemaining, rateLimitCategory }) => {
        const outcome = status >= 200 && status < 300 ? 'ok' : status === 429 ? 'rate-limited' : status === 0 ? 'unavailable' : 'failed';
        metrics.providerDuration.observe({ provider: 'zoom', call: 'api', outcome }, durationMs / 1000);
        if (outcome !== 'ok') metrics.providerErrors.inc({ provider: 'zoom', call: 'api', kind: outcome });
        if (rateLimitRemaining !== undefined) metrics.zoomRateLimitRemaining.set({ category: rateLimitCategory ?? 'unknown' }, rateLimitRemaining);
      },
    }),
    userId: config.zoom.userId,
    heavyCalls: createCallPacer(redis, keys.key('zoom', 'pace', 'heavy'), withMarginWindow(zoomLabelLimit(config.zoom.plan, 'heavy'))),
    // Webhooks name the webinar only; this link lets them find the event and room.
    onWebinarKnown: (webinarId: string, eventId: string, roomId: string) => attendance.linkWebinar(webinarId, { eventId, roomId }),
  };
  const joins = createJoinService({ access, clock, bbb, zoom: zoom ? createZoomJoins(zoomStore) : undefined });

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
    attendance,
    webhooks: createZoomWebhookService({ attendance }),
    zoomWebhookSecretToken: config.zoomWebhookSecretToken,
    organizerTokens: config.organizerTokens,
    metricsToken: config.metricsToken,
    isStorageUnavailable: (error: unknown) => isRedisUnavailable(error, redis),
    publicBaseUrl: config.http.publicBaseUrl,
    queues,
    events,
    participants,
    provisioning,
    plans,
    access,
    participantCache,
    joins,
    bbb,
    zoom,
    zoomStore,
    limiters: config.zoom
      ? { zoom: withMargin(bullmqLimiterFor(config.zoom.plan, 'medium')), 'zoom-registrants': withMargin(bullmqLimiterFor(config.zoom.plan, 'heavy')) }
      : {},
    async close() {
      zoom?.client.close();
      await queues.close().catch(() => undefined);
      await participantChanges.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
