import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ParticipantService } from '../../services/participant-service.js';
import type { EventService } from '../../services/event-service.js';
import { NotFound } from '../errors.js';
import { errorResponse, eventParams } from '../schemas/event-schemas.js';
import { participantParams, participantsBody, participantsResponse } from '../schemas/participant-schemas.js';

export interface ParticipantRoutesDeps {
  participants: ParticipantService;
  events: EventService;
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

  app.delete(
    '/api/v1/events/:eventId/participants/:participantId',
    {
      schema: {
        tags: ['organizer'],
        summary: "Revoke a participant: their links stop working",
        params: participantParams,
        response: { 204: z.null(), 401: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const done = await deps.participants.revoke(request.params.eventId, request.params.participantId);
      if (!done) throw new NotFound(`participant ${request.params.participantId}`);
      return reply.code(204).send(null);
    },
  );
};
