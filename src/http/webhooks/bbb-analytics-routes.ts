import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Clock } from '../../clock.js';
import { verifyAnalyticsToken } from '../../providers/bbb/analytics-token.js';
import type { AttendanceHttpDeps } from '../attendance-http-deps.js';
import { InvalidInput } from '../errors.js';
import { analyticsAck, roomParams } from '../schemas/attendance-schemas.js';
import { errorResponse } from '../schemas/event-schemas.js';

/**
 * A meeting of a few hundred people is a few hundred kilobytes (bbb-events keeps every join, leave and
 * engagement count); the limit leaves room for the largest rooms without letting a sender fill memory.
 */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface BbbAnalyticsRoutesDeps {
  analytics: AttendanceHttpDeps['bbbAnalytics'];
  clock: Clock;
}

/**
 * `POST /callbacks/bbb/analytics/{eventId}/{roomId}`: the URL our create passed as `meta_analytics-callback-url`.
 * BigBlueButton sends it once after the meeting and never retries, so it is answered quickly and idempotently.
 */
export const bbbAnalyticsRoutes: FastifyPluginAsyncZod<BbbAnalyticsRoutesDeps> = async (app, deps) => {
  app.post(
    '/callbacks/bbb/analytics/:eventId/:roomId',
    {
      bodyLimit: MAX_BODY_BYTES,
      // Checked on arrival, before the body is read: without the signature nobody learns what a body should hold.
      onRequest: async (request, reply) => {
        if (!deps.analytics) return reply.code(404).send({ error: 'BigBlueButton is not configured on this server' });
        const check = await verifyAnalyticsToken(request.headers.authorization, deps.analytics.secret, deps.clock.now());
        if (!check.ok) {
          request.log.warn({ reason: check.reason }, 'bbb analytics callback rejected');
          return reply.code(401).header('www-authenticate', 'Bearer').send({ error: check.reason === 'expired' ? 'the token has expired' : 'a valid Bearer token signed with the BigBlueButton secret is required' });
        }
        return undefined;
      },
      schema: {
        tags: ['webhooks'],
        summary: "BigBlueButton's learning-analytics callback for one room (JWT HS512 with the shared secret)",
        params: roomParams,
        response: { 200: analyticsAck, 400: errorResponse, 401: errorResponse, 404: errorResponse, 413: errorResponse },
      },
    },
    async (request, reply) => {
      const { eventId, roomId } = request.params;
      const outcome = await deps.analytics!.service.handle(eventId, roomId, request.body);
      switch (outcome.kind) {
        case 'invalid':
          throw new InvalidInput(outcome.issues);
        case 'unknown-meeting':
          request.log.warn({ eventId, roomId }, 'bbb analytics callback for a meeting we did not create');
          return reply.code(404).send({ error: 'no such meeting' });
        case 'duplicate':
          return { status: 'duplicate' as const };
        case 'recorded':
          request.log.info({ eventId, roomId, internalMeetingId: outcome.internalMeetingId, attendees: outcome.attendees }, 'bbb analytics recorded');
          return { status: 'recorded' as const, attendees: outcome.attendees };
      }
    },
  );
};
