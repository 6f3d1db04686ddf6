import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EventService } from '../../services/event-service.js';
import type { PlanService } from '../../services/plan-service.js';
import type { ProvisioningService } from '../../services/provisioning-service.js';
import { NotFound } from '../errors.js';
import { errorResponse, eventParams } from '../schemas/event-schemas.js';
import { planResponse, provisioningResponse } from '../schemas/provisioning-schemas.js';

export interface ProvisioningRoutesDeps {
  events: EventService;
  provisioning: ProvisioningService;
  plans: PlanService;
}

export const provisioningRoutes: FastifyPluginAsyncZod<ProvisioningRoutesDeps> = async (app, deps) => {
  const storedOr404 = async (eventId: string) => {
    const stored = await deps.events.getStored(eventId);
    if (!stored) throw new NotFound(`event ${eventId}`);
    return stored;
  };

  app.post(
    '/api/v1/events/:eventId/provision',
    {
      schema: {
        tags: ['organizer'],
        summary: 'Provision every room now instead of on schedule',
        params: eventParams,
        response: { 202: z.object({ accepted: z.literal(true) }), 401: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      await deps.provisioning.provisionNow(await storedOr404(request.params.eventId));
      return reply.code(202).send({ accepted: true });
    },
  );

  app.get(
    '/api/v1/events/:eventId/provisioning',
    {
      schema: {
        tags: ['organizer'],
        summary: 'Provisioning status of every room',
        params: eventParams,
        response: { 200: provisioningResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request) => {
      await storedOr404(request.params.eventId);
      const rooms = await deps.provisioning.status(request.params.eventId);
      return { rooms: rooms.map(({ jobId: _jobId, appliedHash: _hash, pendingCreate: _pending, ...room }) => room) };
    },
  );

  app.get(
    '/api/v1/events/:eventId/plan',
    {
      schema: {
        tags: ['organizer'],
        summary: 'What provisioning would do for the current programme, without doing it',
        params: eventParams,
        response: { 200: planResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request) => deps.plans.plan(await storedOr404(request.params.eventId)),
  );
};
