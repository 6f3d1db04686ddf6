import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from './logger.js';
import { installErrorHandler } from './http/error-handler.js';
import type { Metrics } from './http/metrics.js';
import { eventRoutes } from './http/organizer/event-routes.js';
import { createOrganizerAuth } from './http/organizer/organizer-auth.js';
import { opsRoutes, type Readiness } from './http/ops/ops-routes.js';
import { installRequestLog, redactUrl } from './http/request-log.js';
import type { EventService } from './services/event-service.js';
import type { Clock } from './clock.js';
import type { Counter } from 'prom-client';
import { participantRoutes as organizerParticipantRoutes } from './http/organizer/participant-routes.js';
import { participantRoutes } from './http/participant/participant-routes.js';
import { participantAssets } from './http/participant/participant-assets.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import type { JoinService } from './services/join-service.js';
import type { ParticipantAccess } from './services/participant-access.js';
import type { ParticipantService } from './services/participant-service.js';
import type { ProvisioningService } from './services/provisioning-service.js';
import type { PlanService } from './services/plan-service.js';
import { provisioningRoutes } from './http/organizer/provisioning-routes.js';
import { queueDashboard } from './http/ops/queue-dashboard.js';
import type { Queues } from './queue/queues.js';
import type { ZoomWebhookService } from './services/zoom-webhook-service.js';
import { zoomWebhookRoutes } from './http/webhooks/zoom-webhook-routes.js';
import { messageRoutes } from './http/organizer/message-routes.js';
import { reminderRoutes } from './http/participant/reminder-routes.js';
import { registrationRoutes } from './http/registration/registration-routes.js';
import type { RegistrationService } from './services/registration-service.js';
import type { ParticipantData } from './services/participant-data.js';
import type { Translations } from './i18n/i18n.js';
import type { AttendanceHttpDeps } from './http/attendance-http-deps.js';
import { attendanceRoutes } from './http/organizer/attendance-routes.js';
import { certificateRoutes } from './http/participant/certificate-routes.js';
import { bbbAnalyticsRoutes } from './http/webhooks/bbb-analytics-routes.js';
import type { MessageService } from './services/message-service.js';
import type { ParticipantStore } from './store/participant-store.js';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
  organizerTokens: readonly string[];
  metricsToken: string | undefined;
  /** Tells a Redis outage (answered 503, retry shortly) from a failure (500). */
  isStorageUnavailable(error: unknown): boolean;
  publicBaseUrl: string;
  events: EventService;
  participants: ParticipantService;
  provisioning: ProvisioningService;
  plans: PlanService;
  queues: Queues;
  access: ParticipantAccess;
  joins: JoinService;
  clock: Clock;
  joinOutcomes: Counter<'provider' | 'outcome'>;
  webhooks: ZoomWebhookService;
  messages: MessageService;
  /** To tell an unknown participant from a known one before resending an invitation. */
  participantDirectory: Pick<ParticipantStore, 'get'>;
  /** Self-registration: the public form, double opt-in, capacity and waitlist. */
  registrations: RegistrationService;
  /** A participant's stored data: export and erasure. */
  participantData: ParticipantData;
  translations: Translations;
  zoomWebhookSecretToken: string | undefined;
  /** Attendance report, certificates, host links and BigBlueButton's analytics callback. */
  attendance: AttendanceHttpDeps;
}

/** Builds the HTTP application; never listens (the entry file does). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      // A client's id is kept unless it is secret-shaped (say, a link signature pasted in): it is on every log line.
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) && redactUrl(given) === given ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // Personal tokens of the longest ids (64-character event id, 32-character key id) are ~200 characters;
    // above the link verifier's own 512 limit, so every over-long token reaches our routes and their answer.
    routerOptions: { maxParamLength: 1024 },
    // SIGTERM drains: a request that arrives on a connection accepted before close() is served, not refused.
    return503OnClosing: false,
    // Requests Fastify rejects before routing (an undecodable or over-long path) get the same error shape as
    // others; Fastify's own messages quote the path, which may hold a personal token, so they are not sent.
    // Fastify runs no hooks for them, so the access line and the request metric are written here.
    frameworkErrors: (error, request, reply) => {
      const status = error.statusCode ?? 400;
      const message = status === 414 ? 'a path segment is too long' : 'the path is not valid percent-encoding';
      const started = performance.now();
      void (reply as FastifyReply).code(status).send({ error: 'invalid request', issues: [{ path: 'url', message }] });
      const ms = performance.now() - started;
      deps.metrics.httpDuration.labels(request.method, 'unmatched', String(status)).observe(ms / 1000);
      request.log.info({ method: request.method, url: redactUrl(request.url), route: 'unmatched', status, ms: Math.round(ms) }, 'request completed');
    },
    trustProxy: true,
  }).withTypeProvider<ZodTypeProvider>();

  // The API speaks JSON only; anything else is a 415, not a string body that fails validation.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, { isUnavailable: deps.isStorageUnavailable });
  installRequestLog(app, deps.metrics);

  // Before any route: the /docs exception to the strict CSP is attached as routes are added.
  await registerSecurityHeaders(app, { requestIdHeader: 'x-request-id' });
  await app.register(swagger, {
    openapi: {
      info: { title: 'academy-orchestrator', version: '1.0.0', description: 'Organizer, participant and ops API' },
      servers: [{ url: deps.publicBaseUrl }],
      components: { securitySchemes: { organizer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(opsRoutes, { readiness: deps.readiness, metrics: deps.metrics, metricsToken: deps.metricsToken });

  const requireOrganizer = createOrganizerAuth(deps.organizerTokens);
  await app.register(async (organizer) => {
    organizer.addHook('onRequest', requireOrganizer);
    organizer.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: [{ organizer: [] }] };
    });
    await organizer.register(eventRoutes, { events: deps.events });
    await organizer.register(organizerParticipantRoutes, { participants: deps.participants, events: deps.events, data: deps.participantData });
    await organizer.register(provisioningRoutes, { events: deps.events, provisioning: deps.provisioning, plans: deps.plans });
    await organizer.register(messageRoutes, { messages: deps.messages, events: deps.events, participants: deps.participantDirectory });
    await organizer.register(attendanceRoutes, deps.attendance);
  });

  await queueDashboard(app, { queues: deps.queues, requireOrganizer });
  await app.register(participantAssets);
  await app.register(participantRoutes, {
    access: deps.access,
    joins: deps.joins,
    messages: deps.messages,
    translations: deps.translations,
    clock: deps.clock,
    publicBaseUrl: deps.publicBaseUrl,
    joinOutcomes: deps.joinOutcomes,
  });

  await app.register(reminderRoutes, { access: deps.access, messages: deps.messages, translations: deps.translations, publicBaseUrl: deps.publicBaseUrl });
  await app.register(registrationRoutes, { registrations: deps.registrations, access: deps.access, participants: deps.participants, translations: deps.translations, publicBaseUrl: deps.publicBaseUrl });
  await app.register(zoomWebhookRoutes, { secretToken: deps.zoomWebhookSecretToken, webhooks: deps.webhooks, clock: deps.clock });
  await app.register(certificateRoutes, { access: deps.access, attendance: deps.attendance, translations: deps.translations, clock: deps.clock, publicBaseUrl: deps.publicBaseUrl });
  await app.register(bbbAnalyticsRoutes, { analytics: deps.attendance.bbbAnalytics, clock: deps.clock });

  return app;
}
