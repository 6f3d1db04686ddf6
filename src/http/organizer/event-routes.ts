import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { EventService } from '../../services/event-service.js';
import { InvalidInput, NotFound } from '../errors.js';
import { errorResponse, eventBody, eventParams, eventResponse } from '../schemas/event-schemas.js';

export const eventRoutes: FastifyPluginAsyncZod<{ events: EventService }> = async (app, { events }) => {
  app.put(
    '/api/v1/events/:eventId',
    {
      schema: {
        tags: ['organizer'],
        summary: 'Create or replace an event programme',
        params: eventParams,
        body: eventBody,
        response: { 200: eventResponse, 201: eventResponse, 400: errorResponse, 401: errorResponse },
      },
    },
    async (request, reply) => {
      if (request.body.id !== request.params.eventId) {
        throw new InvalidInput([{ path: 'id', message: `must equal the event id in the URL (${request.params.eventId})` }]);
      }
      const { created, event } = await events.put(request.body);
      return reply.code(created ? 201 : 200).send(event);
    },
  );

  app.get(
    '/api/v1/events/:eventId',
    {
      schema: {
        tags: ['organizer'],
        summary: 'Read an event programme with absolute times and derived rooms',
        params: eventParams,
        response: { 200: eventResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request) => {
      const event = await events.get(request.params.eventId);
      if (!event) throw new NotFound(`event ${request.params.eventId}`);
      return event;
    },
  );
};
