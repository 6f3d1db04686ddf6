import type { AppDeps } from '../app.js';
import { registerStateMetrics } from '../http/ops/state-metrics.js';
import { createJoinService } from '../services/join-service.js';
import { createParticipantAccess, createParticipantCache, listenForParticipantChanges, type ParticipantCache } from '../services/participant-access.js';
import { createParticipantService } from '../services/participant-service.js';
import { createPlanService } from '../services/plan-service.js';
import { createZoomJoins } from '../services/zoom/zoom-joins.js';
import { createZoomWebhookService } from '../services/zoom-webhook-service.js';
import { createParticipantStore, participantChangesChannel, type ParticipantStore } from '../store/participant-store.js';
import { createRedis } from '../store/redis.js';
import type { Core } from './core.js';
import { createTranslations } from '../i18n/i18n.js';
import { createAdmissions } from '../services/admissions.js';
import { createParticipantData } from '../services/participant-data.js';
import { createRegistrationService, DEFAULT_REGISTRATION_LIMITS } from '../services/registration-service.js';
import { createRateLimiter } from '../store/rate-limit-store.js';
import { createRegistrationStore } from '../store/registration-store.js';
import { createAttendanceApi } from './attendance.js';
import { createAttendanceRecords } from '../services/attendance-records.js';

export interface ApiParts {
  /** Everything buildApp needs. */
  app: AppDeps;
  participantStore: ParticipantStore;
  participantCache: ParticipantCache;
  /** Stops the participant-change subscriber (the core is closed by its owner). */
  close(): Promise<void>;
}

/**
 * The API process: the services behind the routes, each given only what it uses. Participants are cached
 * per process; changes reach the other API processes over pub/sub and this one directly.
 */
export function createApi(core: Core): ApiParts {
  const { config, logger, clock, keys, redis, metrics, stores, queues, provisioning, events } = core;
  const participantCache = createParticipantCache({ clock });
  const participantStore = createParticipantStore(redis, keys, { onChanged: (change) => participantCache.invalidate(change), durability: core.durability });
  const participantChanges = listenForParticipantChanges(
    createRedis(config.redis, 'worker', { connectionName: `${keys.prefix}:participant-changes` }),
    participantChangesChannel(keys),
    participantCache,
    logger,
  );
  registerStateMetrics(metrics.registry, { queues, events: stores.events, rooms: stores.rooms, clock });

  const providers = { bbb: config.bbb !== undefined, zoom: config.zoom !== undefined };
  const signingKey = config.signingKeys[0];
  if (!signingKey) throw new Error('LINK_SIGNING_KEYS is empty');
  const attendance = createAttendanceApi(core, participantStore, createTranslations());
  const participants = createParticipantService({
    events: stores.events,
    participants: participantStore,
    clock,
    signingKey,
    publicBaseUrl: config.http.publicBaseUrl,
    onChanged: (eventId) => provisioning.participantsChanged(eventId),
    onAdded: (eventId, version, ids, { notify }) => core.messages.participantsAdded(eventId, version, ids, { invite: notify }),
    onRemoved: async (eventId, participantId) => {
      await core.messages.participantRemoved(eventId, participantId);
      // Verification also checks the participant; this removes the code itself.
      await attendance.http.certificates.revoke(eventId, participantId);
      await freePlaces(eventId);
    },
    waitlist: { list: (eventId) => admissions.list(eventId), withdraw: (eventId, participantId) => admissions.withdraw(eventId, participantId) },
  });
  const registrationStore = createRegistrationStore(redis, keys);
  const admissions = createAdmissions({ events: stores.events, registrations: registrationStore, add: (...args) => participants.add(...args), messages: core.messages, logger });
  // A removal is done once stored; the waitlist moves up on the next removal or confirmation if this fails.
  const freePlaces = (eventId: string) =>
    admissions.placesFreed(eventId).catch((error: unknown) => logger.error({ eventId, err: { message: (error as Error).message } }, 'waitlist promotion failed'));
  const registrations = createRegistrationService({
    events: stores.events,
    registrations: registrationStore,
    participants: participantStore,
    admissions,
    messages: core.messages,
    limiter: createRateLimiter(redis, keys),
    limits: DEFAULT_REGISTRATION_LIMITS,
    signingKeys: config.signingKeys,
    publicBaseUrl: config.http.publicBaseUrl,
    clock,
    logger,
  });
  const plans = createPlanService({
    rooms: stores.rooms,
    participants: participantStore,
    zoomStore: stores.zoom,
    clock,
    bbbLeadMinutes: config.bbb?.warmupLeadMinutes ?? 10,
    providers,
  });
  const access = createParticipantAccess({ events: stores.events, participants: participantStore, signingKeys: config.signingKeys, clock, cache: participantCache });
  const joins = createJoinService({ access, clock, bbb: core.bbb, zoom: config.zoom ? createZoomJoins(stores.zoom) : undefined });

  return {
    app: {
      logger,
      metrics,
      readiness: {
        async check() {
          if ((await redis.ping()) !== 'PONG') throw new Error('redis did not answer PONG');
        },
      },
      organizerTokens: config.organizerTokens,
      metricsToken: config.metricsToken,
      isStorageUnavailable: core.isRedisUnavailable,
      publicBaseUrl: config.http.publicBaseUrl,
      // A programme that raises the capacity admits people from the waitlist right away.
      events: { ...events, put: async (programme) => {
        const result = await events.put(programme);
        registrations.programmeChanged(programme.id);
        await freePlaces(programme.id);
        return result;
      } },
      participants,
      provisioning,
      plans,
      queues,
      access,
      joins,
      clock,
      joinOutcomes: metrics.joins,
      webhooks: createZoomWebhookService({ attendance: stores.attendance, onWebinarEnded: (link, at) => core.attendanceSchedule.webinarEnded(link, at) }),
      attendance: attendance.http,
      messages: core.messages,
      participantDirectory: participantStore,
      registrations,
      participantData: createParticipantData({
        events: stores.events,
        participants: participantStore,
        registrations: registrationStore,
        messages: stores.messages,
        zoom: stores.zoom,
        attendance: createAttendanceRecords({
          attendance: attendance.http.attendance,
          presence: stores.presence,
          webhooks: stores.attendance,
          zoom: stores.zoom,
          certificates: stores.certificates,
          anonymous: stores.anonymousAttendance,
          publicBaseUrl: config.http.publicBaseUrl,
        }),
        revoke: (eventId, participantId) => participants.revoke(eventId, participantId),
      }),
      translations: createTranslations(),
      zoomWebhookSecretToken: config.zoomWebhookSecretToken,
    },
    participantStore,
    participantCache,
    close: async () => {
      attendance.close();
      await participantChanges.close();
    },
  };
}
