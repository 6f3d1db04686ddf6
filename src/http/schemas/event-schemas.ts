import { z } from 'zod';
import { daySchema, idSchema, programmeSchema, sessionSchema } from '../../domain/programme.js';

export const eventParams = z.object({ eventId: idSchema });

export const eventBody = programmeSchema;

const scheduledSession = sessionSchema.extend({
  startsAt: z.iso.datetime().describe('absolute start, UTC'),
  endsAt: z.iso.datetime().describe('absolute end, UTC'),
  roomId: z.string(),
});

const roomView = z.object({
  id: z.string(),
  provider: z.enum(['bbb', 'zoom']),
  date: z.string(),
  title: z.string(),
  sessionIds: z.array(z.string()),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
});

export const eventResponse = z.object({
  id: z.string(),
  title: z.string(),
  timezone: z.string(),
  joinOpensMinutesBefore: z.number(),
  version: z.number().int(),
  updatedAt: z.iso.datetime(),
  days: z.array(daySchema.omit({ sessions: true }).extend({ sessions: z.array(scheduledSession) })),
  rooms: z.array(roomView),
});

export type EventResponse = z.infer<typeof eventResponse>;

export const errorResponse = z.object({
  error: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
