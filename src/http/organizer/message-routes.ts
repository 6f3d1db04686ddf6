import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { messageKind, type MessageRecord } from '../../domain/messages.js';
import type { EventService } from '../../services/event-service.js';
import type { MessageService } from '../../services/message-service.js';
import type { ParticipantStore } from '../../store/participant-store.js';
import { NotFound } from '../errors.js';
import { errorResponse, eventParams } from '../schemas/event-schemas.js';
import { invitationResponse, messagesQuery, messagesResponse } from '../schemas/message-schemas.js';
import { participantParams } from '../schemas/participant-schemas.js';

export interface MessageRoutesDeps {
  messages: MessageService;
  events: EventService;
  participants: Pick<ParticipantStore, 'get'>;
}

function view(record: MessageRecord) {
  return {
    id: record.id,
    participantId: record.participantId,
    kind: messageKind(record),
    status: record.status,
    attempts: record.attempts,
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.sentAt !== undefined ? { sentAt: record.sentAt } : {}),
    ...(record.plannedFor !== undefined && record.status === 'queued' ? { plannedFor: record.plannedFor } : {}),
  };
}

export const messageRoutes: FastifyPluginAsyncZod<MessageRoutesDeps> = async (app, deps) => {
  app.get(
    '/api/v1/events/:eventId/messages',
    {
      schema: {
        tags: ['organizer'],
        summary: 'Mails to participants (invitations, reminders, change notices …) and what became of each',
        params: eventParams,
        querystring: messagesQuery,
        response: { 200: messagesResponse, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      if (!(await deps.events.getStored(eventId))) throw new NotFound(`event ${eventId}`);
      return { messages: (await deps.messages.list(eventId, request.query)).map(view) };
    },
  );

  app.post(
    '/api/v1/events/:eventId/participants/:participantId/invitation',
    {
      schema: {
        tags: ['organizer'],
        summary: 'Send the invitation again (a new message with the same personal link)',
        params: participantParams,
        response: { 202: invitationResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const { eventId, participantId } = request.params;
      if (!(await deps.participants.get(eventId, participantId))) throw new NotFound(`participant ${participantId}`);
      const record = await deps.messages.resendInvitation(eventId, participantId);
      return reply.code(202).send({ message: view(record) });
    },
  );
};
