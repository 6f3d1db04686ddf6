import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import type { Config } from '../../config/env.js';
import { systemClock, type Clock } from '../clock.js';
import { createMetrics, type Metrics } from '../http/metrics.js';
import type { Logger } from '../logger.js';
import { createBbbClient, type BbbClient } from '../providers/bbb/bbb-client.js';
import { createQueues, type Queues } from '../queue/queues.js';
import { createBbbRooms, type BbbRooms } from '../services/bbb-rooms.js';
import { createEventService, type EventService } from '../services/event-service.js';
import { createProvisioningService, type ProvisioningService } from '../services/provisioning-service.js';
import { createAttendanceStore, type AttendanceStore } from '../store/attendance-store.js';
import { createEventStore, type EventStore } from '../store/event-store.js';
import { createDurability, type Durability } from '../store/durability.js';
import { createRedis, describeTarget, isRedisUnavailable, keySpace, type KeySpace, type RedisTarget } from '../store/redis.js';
import { createRoomStateStore, type RoomStateStore } from '../store/room-state-store.js';
import { createZoomStore, type ZoomStore } from '../store/zoom-store.js';
import { createMessageStore, type MessageStore } from '../store/message-store.js';
import { createPlannedSessionsStore, type PlannedSessionsStore } from '../store/planned-sessions-store.js';
import { createMessageService, type MessageService } from '../services/message-service.js';
import { senderDomain } from '../providers/mail/mail-transport.js';
import { createPresenceStore, type PresenceStore } from '../store/presence-store.js';
import { createCertificateStore, type CertificateStore } from '../store/certificate-store.js';
import { createAnonymousAttendanceStore, type AnonymousAttendanceStore } from '../store/anonymous-attendance-store.js';
import { createAttendanceSchedule, type AttendanceSchedule } from '../services/attendance-schedule.js';

/**
 * What every process kind shares: configuration, logger, clock, the request Redis connection, the stores,
 * the queues (producers: an API enqueues, a worker re-plans on start) and provisioning, which decides what
 * the queues should hold. The API and worker builders take their parts from here.
 */
export interface Core {
  config: Config;
  logger: Logger;
  clock: Clock;
  keys: KeySpace;
  redis: Redis;
  /** WAITs for replicas after acknowledged writes on `redis` (a no-op without replicas to wait for). */
  durability: Durability;
  metrics: Metrics;
  stores: {
    events: EventStore;
    rooms: RoomStateStore;
    attendance: AttendanceStore;
    zoom: ZoomStore;
    messages: MessageStore;
    plannedSessions: PlannedSessionsStore;
    presence: PresenceStore;
    certificates: CertificateStore;
    anonymousAttendance: AnonymousAttendanceStore;
  };
  /** When attendance polls, Zoom reconciliation and certificate issuing run (delayed jobs). */
  attendanceSchedule: AttendanceSchedule;
  queues: Queues;
  provisioning: ProvisioningService;
  /** Programme writes (API routes, PROGRAMME_FILE at start) re-plan provisioning and messages. */
  events: EventService;
  messages: MessageService;
  /** MAIL_FROM's domain, the right side of every Message-ID. */
  senderDomain: string;
  /** mail_messages_total{kind,status}: planned (queued) here, sent, failed or skipped by the mail worker. */
  mailOutcomes: Counter<'kind' | 'status'>;
  /** BigBlueButton rooms are created by the warm-up job and, when it has not run yet, by the first join. */
  bbb: { client: BbbClient; rooms: BbbRooms } | undefined;
  isRedisUnavailable(error: unknown): boolean;
  /** Closes what createCore opened: queues, then Redis. */
  close(): Promise<void>;
}

export interface CoreOverrides {
  clock?: Clock;
  keyPrefix?: string;
}

export class RedisUnreachableError extends Error {
  constructor(target: string | RedisTarget) {
    super(`Redis at ${describeTarget(target)} did not answer; start one (e.g. \`redis-server\`) or set REDIS_URL`);
    this.name = 'RedisUnreachableError';
  }
}

/** Request connections do not queue offline, so boot waits for the first connection (bounded). */
async function waitForRedis(redis: Redis, target: RedisTarget, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      redis.disconnect();
      reject(new RedisUnreachableError(target));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

export async function createCore(config: Config, logger: Logger, overrides: CoreOverrides = {}): Promise<Core> {
  const clock = overrides.clock ?? systemClock;
  const keys = keySpace(overrides.keyPrefix ?? config.redisKeyPrefix);
  const redis = createRedis(config.redis, 'request');
  redis.on('error', (error) => logger.warn({ err: { message: error.message } }, 'redis connection error'));
  await waitForRedis(redis, config.redis);
  const durability = createDurability(redis, { ...config.durability, channel: keys.key('durability') });
  await durability.ready();

  const metrics = createMetrics();
  const stores = {
    events: createEventStore(redis, keys, { durability }),
    rooms: createRoomStateStore(redis, keys),
    attendance: createAttendanceStore(redis, keys),
    zoom: createZoomStore(redis, keys, { durability }),
    messages: createMessageStore(redis, keys),
    plannedSessions: createPlannedSessionsStore(redis, keys),
    presence: createPresenceStore(redis, keys),
    certificates: createCertificateStore(redis, keys),
    anonymousAttendance: createAnonymousAttendanceStore(redis, keys),
  };
  const queues = createQueues(redis, keys.prefix);
  const attendanceSchedule = createAttendanceSchedule({ queues, clock, pollSeconds: config.attendance.pollSeconds });
  const provisioning = createProvisioningService({
    queues,
    rooms: stores.rooms,
    clock,
    logger,
    bbbLeadMinutes: config.bbb?.warmupLeadMinutes ?? 10,
    providers: { bbb: config.bbb !== undefined, zoom: config.zoom !== undefined },
    zoomStore: stores.zoom,
  });

  const mailDomain = config.mail.smtp ? senderDomain(config.mail.smtp.from) : 'academy-orchestrator.invalid';
  const mailOutcomes = new Counter({ name: 'mail_messages_total', help: 'Participant messages by kind and status (queued when planned)', labelNames: ['kind', 'status'] as const, registers: [metrics.registry] });
  const messages = createMessageService({ store: stores.messages, queues, clock, senderDomain: mailDomain, planned: (kind) => mailOutcomes.inc({ kind, status: 'queued' }) });
  const events = createEventService({
    store: stores.events,
    clock,
    onChanged: async (event) => {
      try {
        await provisioning.reconcile(event);
      } catch (error) {
        // The programme is stored; the worker reconciles every event again when it starts.
        logger.error({ eventId: event.programme.id, err: { message: (error as Error).message } }, 'provisioning reconcile failed');
      }
      await messages.programmeChanged(event).catch((error: unknown) => {
        logger.error({ eventId: event.programme.id, err: { message: (error as Error).message } }, 'message planning could not be queued');
      });
      await attendanceSchedule.programmeChanged(event).catch((error: unknown) => {
        logger.error({ eventId: event.programme.id, err: { message: (error as Error).message } }, 'attendance jobs could not be queued');
      });
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

  return {
    config,
    logger,
    clock,
    keys,
    redis,
    durability,
    metrics,
    stores,
    attendanceSchedule,
    queues,
    provisioning,
    events,
    messages,
    senderDomain: mailDomain,
    mailOutcomes,
    bbb,
    isRedisUnavailable: (error) => isRedisUnavailable(error, redis),
    async close() {
      await queues.close().catch(() => undefined);
      await durability.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
