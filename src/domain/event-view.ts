import { z } from 'zod';
import { daySchema, sessionSchema, type Programme } from './programme.js';
import { scheduleProgramme } from './schedule.js';

const scheduledSessionSchema = sessionSchema.extend({
  startsAt: z.iso.datetime().describe('absolute start, UTC'),
  endsAt: z.iso.datetime().describe('absolute end, UTC'),
  roomId: z.string(),
});

const roomViewSchema = z.object({
  id: z.string(),
  provider: z.enum(['bbb', 'zoom']),
  date: z.string(),
  title: z.string(),
  sessionIds: z.array(z.string()),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
});

/** The event as the API answers it: the stored programme with absolute instants and rooms. */
export const eventViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  timezone: z.string(),
  joinOpensMinutesBefore: z.number(),
  version: z.number().int(),
  updatedAt: z.iso.datetime(),
  days: z.array(daySchema.omit({ sessions: true }).extend({ sessions: z.array(scheduledSessionSchema) })),
  rooms: z.array(roomViewSchema),
});
export type EventView = z.output<typeof eventViewSchema>;

/** The programme as stored, with every session's absolute instants and room. */
export function toEventView(programme: Programme, version: number, updatedAt: string): EventView {
  const schedule = scheduleProgramme(programme);
  const byId = new Map(schedule.sessions.map((s) => [s.id, s]));
  return {
    id: programme.id,
    title: programme.title,
    timezone: programme.timezone,
    joinOpensMinutesBefore: programme.joinOpensMinutesBefore,
    version,
    updatedAt,
    days: programme.days.map((day) => ({
      ...day,
      sessions: day.sessions.map((session) => {
        const scheduled = byId.get(session.id);
        return { ...session, startsAt: scheduled?.startsAt ?? '', endsAt: scheduled?.endsAt ?? '', roomId: scheduled?.roomId ?? '' };
      }),
    })),
    rooms: schedule.rooms.map(({ id, provider, date, title, sessionIds, startsAt, endsAt }) => ({
      id,
      provider,
      date,
      title,
      sessionIds,
      startsAt,
      endsAt,
    })),
  };
}
