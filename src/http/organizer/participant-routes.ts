import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ParticipantService } from '../../services/participant-service.js';
import type { EventService } from '../../services/event-service.js';
import { participantExportSchema, type ParticipantData } from '../../services/participant-data.js';
import { InvalidInput, NotFound } from '../errors.js';
import { errorResponse, eventParams } from '../schemas/event-schemas.js';
import { participantListResponse, participantParams, participantsBody, participantsQuery, participantsResponse } from '../schemas/participant-schemas.js';

export interface ParticipantRoutesDeps {
  participants: ParticipantService;
  events: EventService;
  /** Data protection: export and erasure of one person's data. */
  data: ParticipantData;
}

export const participantRoutes: FastifyPluginAsyncZod<ParticipantRoutesDeps> = async (app, deps) => {
  app.post(
    '/api/v1/events/:eventId/participants',
    {
      // 10,000 participants with names and addresses fit well within 8 MiB.
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ['organizer'],
        summary: 'Register participants (1 to 10,000); idempotent on the normalised email',
        params: eventParams,
        body: participantsBody,
        response: { 201: participantsResponse, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const issued = await deps.participants.add(request.params.eventId, request.body.participants, { notify: request.body.notify });
      if (!issued) throw new NotFound(`event ${request.params.eventId}`);
      return reply.code(201).send({ participants: issued });
    },
  );

  app.get(
    '/api/v1/events/:eventId/participants',
    {
      schema: {
        tags: ['organizer'],
        summary: 'Participants a page at a time, registered and waitlisted (self-registration), in id order',
        params: eventParams,
        querystring: participantsQuery,
        response: { 200: participantListResponse, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const listing = await deps.participants.list(request.params.eventId, request.query);
      if (listing.kind === 'unknown-event') throw new NotFound(`event ${request.params.eventId}`);
      if (listing.kind === 'bad-cursor') throw new InvalidInput([{ path: 'querystring.cursor', message: 'is not a cursor this listing handed out' }]);
      return reply.send({ participants: listing.participants, ...(listing.next ? { next: listing.next } : {}) });
    },
  );

  app.get(
    '/api/v1/events/:eventId/participants/:participantId/export',
    {
      schema: {
        tags: ['organizer'],
        summary: "Everything stored about one participant or waitlisted person (a data subject's access request)",
        params: participantParams,
        response: { 200: participantExportSchema, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const exported = await deps.data.export(request.params.eventId, request.params.participantId);
      if (!exported) throw new NotFound(`participant ${request.params.participantId}`);
      return reply.header('content-disposition', `attachment; filename="${exported.id}.json"`).send(exported);
    },
  );

  app.delete(
    '/api/v1/events/:eventId/participants/:participantId',
    {
      schema: {
        tags: ['organizer'],
        summary: 'Revoke a participant (or take them off the waitlist): their links stop working; with erase=true their name and address are removed too',
        params: participantParams,
        querystring: z.strictObject({ erase: z.enum(['true', 'false']).default('false') }),
        response: { 204: z.null(), 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const { eventId, participantId } = request.params;
      const done = request.query.erase === 'true' ? await deps.data.erase(eventId, participantId) : await deps.participants.revoke(eventId, participantId);
      if (!done) throw new NotFound(`participant ${request.params.participantId}`);
      return reply.code(204).send(null);
    },
  );
};
