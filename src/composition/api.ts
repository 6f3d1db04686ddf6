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
  const participantStore = createParticipantStore(redis, keys, { onChanged: (change) => participantCache.invalidate(change) });
  const participantChanges = listenForParticipantChanges(
    createRedis(config.redisUrl, 'worker', { connectionName: `${keys.prefix}:participant-changes` }),
    participantChangesChannel(keys),
    participantCache,
    logger,
  );
  registerStateMetrics(metrics.registry, { queues, events: stores.events, rooms: stores.rooms, clock });

  const providers = { bbb: config.bbb !== undefined, zoom: config.zoom !== undefined };
  const signingKey = config.signingKeys[0];
  if (!signingKey) throw new Error('LINK_SIGNING_KEYS is empty');
  const participants = createParticipantService({
    events: stores.events,
    participants: participantStore,
    clock,
    signingKey,
    publicBaseUrl: config.http.publicBaseUrl,
    onChanged: (eventId) => provisioning.participantsChanged(eventId),
    onAdded: (eventId, version, ids, { notify }) => core.messages.participantsAdded(eventId, version, ids, { invite: notify }),
    onRemoved: (eventId, participantId) => core.messages.participantRemoved(eventId, participantId),
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
      events,
      participants,
      provisioning,
      plans,
      queues,
      access,
      joins,
      clock,
      joinOutcomes: metrics.joins,
      webhooks: createZoomWebhookService({ attendance: stores.attendance }),
      messages: core.messages,
      participantDirectory: participantStore,
      translations: createTranslations(),
      zoomWebhookSecretToken: config.zoomWebhookSecretToken,
    },
    participantStore,
    participantCache,
    close: () => participantChanges.close(),
  };
}
