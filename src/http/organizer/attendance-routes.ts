import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { attendanceCsv } from '../../domain/attendance-report.js';
import type { AttendanceHttpDeps } from '../attendance-http-deps.js';
import { InvalidInput, NotFound, Unavailable } from '../errors.js';
import { acceptedResponse, attendanceResponse, hostLinkResponse, roomParams } from '../schemas/attendance-schemas.js';
import { errorResponse, eventParams } from '../schemas/event-schemas.js';

export const attendanceRoutes: FastifyPluginAsyncZod<AttendanceHttpDeps> = async (app, deps) => {
  app.get(
    '/api/v1/events/:eventId/attendance',
    {
      schema: {
        tags: ['organizer'],
        summary: 'Attendance per participant: minutes in total, per day and per session, and certificate eligibility',
        description: 'With `Accept: text/csv`, the same as CSV (one row per participant, a column per day and per session), streamed.',
        params: eventParams,
        response: { 200: attendanceResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const outcome = await deps.attendance.report(request.params.eventId);
      if (outcome.kind === 'unknown-event') throw new NotFound(`event ${request.params.eventId}`);
      if (!/\btext\/csv\b/i.test(request.headers.accept ?? '')) return outcome.report;
      // Excel reads UTF-8 (names in any script) only with the byte order mark.
      const lines = (function* () {
        yield '\uFEFF';
        yield* attendanceCsv(outcome.report);
      })();
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="attendance-${request.params.eventId}.csv"`)
        .header('cache-control', 'no-store')
        // A stream is sent as it is, not through the JSON schema's serializer.
        .send(Readable.from(lines) as never);
    },
  );

  app.post(
    '/api/v1/events/:eventId/certificates',
    {
      schema: {
        tags: ['organizer'],
        summary: 'Issue certificates now to everyone eligible (also before the event ends); each new one is mailed',
        params: eventParams,
        response: { 202: acceptedResponse, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const event = await deps.attendance.event(request.params.eventId);
      if (!event) throw new NotFound(`event ${request.params.eventId}`);
      if (!event.programme.certificate) throw new InvalidInput([{ path: 'certificate', message: 'the programme has no certificate settings, so no certificates are issued' }]);
      await deps.requestCertificates(request.params.eventId);
      return reply.code(202).send({ accepted: true });
    },
  );

  app.post(
    '/api/v1/events/:eventId/rooms/:roomId/host-link',
    {
      schema: {
        tags: ['organizer'],
        summary: 'A fresh link that starts the room as its host (Zoom start_url; BigBlueButton moderator join)',
        params: roomParams,
        response: { 200: hostLinkResponse, 401: errorResponse, 404: errorResponse, 409: errorResponse, 503: errorResponse },
      },
    },
    async (request, reply) => {
      const { eventId, roomId } = request.params;
      const outcome = await deps.hostLinks.hostLink(eventId, roomId);
      switch (outcome.kind) {
        case 'link':
          return reply.header('cache-control', 'no-store').send({ url: outcome.url, expiresAt: outcome.expiresAt });
        case 'unknown':
          throw new NotFound(outcome.what === 'event' ? `event ${eventId}` : `room ${roomId}`);
        case 'not-provisioned':
          return reply.code(409).send({ error: `room ${roomId} has no webinar yet; provision it first` });
        case 'not-configured':
          return reply.code(409).send({ error: `${outcome.provider === 'bbb' ? 'BigBlueButton (BBB_URL)' : 'Zoom (ZOOM_ACCOUNT_ID)'} is not configured` });
        case 'unavailable':
          request.log.warn({ eventId, roomId, cause: outcome.cause }, 'host link: provider unavailable');
          throw new Unavailable(outcome.provider === 'zoom' ? 'Zoom' : 'BigBlueButton');
      }
    },
  );
};
