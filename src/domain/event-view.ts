import type { Programme } from './programme.js';
import { scheduleProgramme } from './schedule.js';

export interface EventView {
  id: string;
  title: string;
  timezone: string;
  joinOpensMinutesBefore: number;
  version: number;
  updatedAt: string;
  days: Array<Omit<Programme['days'][number], 'sessions'> & { sessions: Array<Programme['days'][number]['sessions'][number] & { startsAt: string; endsAt: string; roomId: string }> }>;
  rooms: Array<{ id: string; provider: 'bbb' | 'zoom'; date: string; title: string; sessionIds: string[]; startsAt: string; endsAt: string }>;
}

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
