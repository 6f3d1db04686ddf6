import { DEFAULT_INTERPRETATION_LANGUAGES, type Day, type Programme } from './programme.js';
import { localToInstant } from './local-time.js';

export type Provider = 'bbb' | 'zoom';

export interface Interpreter {
  email: string;
  from: string;
  to: string;
}

/** A room to provision: one BigBlueButton meeting or one Zoom webinar. */
export interface RoomPlan {
  id: string;
  provider: Provider;
  date: string;
  title: string;
  sessionIds: string[];
  startsAt: string;
  endsAt: string;
  record: boolean;
  maxParticipants: number | undefined;
  interpretation: { languages: string[]; interpreters: Interpreter[] } | undefined;
}

export interface ScheduledSession {
  id: string;
  title: string;
  description: string | undefined;
  date: string;
  dayTitle: string;
  kind: Day['kind'];
  roomId: string;
  /** Local wall-clock times as the organizers wrote them, in the event zone. */
  localStart: string;
  localEnd: string;
  startsAt: string;
  endsAt: string;
}

export interface Schedule {
  sessions: ScheduledSession[];
  rooms: RoomPlan[];
}

/**
 * Room ids derive from the day's date and the session's room name only, so re-uploading an edited
 * programme maps every session to the room it already had and provisioning stays idempotent.
 */
export function roomIdFor(day: Pick<Day, 'date' | 'kind'>, room: string | undefined): string {
  if (day.kind === 'conference') return `zoom-${day.date}`;
  return room === undefined ? `bbb-${day.date}` : `bbb-${day.date}-${room}`;
}

function instantIso(date: string, time: string, zone: string): string {
  const result = localToInstant(date, time, zone);
  if (!result.ok) throw new Error(`unvalidated programme: ${date} ${time} in ${zone}`);
  return result.instant.toISO({ suppressMilliseconds: true }) ?? '';
}

/** Expects a programme that passed programmeSchema. */
export function scheduleProgramme(programme: Programme): Schedule {
  const sessions: ScheduledSession[] = [];
  const rooms = new Map<string, RoomPlan>();
  for (const day of programme.days) {
    for (const session of day.sessions) {
      const roomId = roomIdFor(day, session.room);
      const scheduled: ScheduledSession = {
        id: session.id,
        title: session.title,
        description: session.description,
        date: day.date,
        dayTitle: day.title,
        kind: day.kind,
        roomId,
        localStart: session.start,
        localEnd: session.end,
        startsAt: instantIso(day.date, session.start, programme.timezone),
        endsAt: instantIso(day.date, session.end, programme.timezone),
      };
      sessions.push(scheduled);
      const room = rooms.get(roomId);
      if (room === undefined) {
        rooms.set(roomId, {
          id: roomId,
          provider: day.kind === 'academy' ? 'bbb' : 'zoom',
          date: day.date,
          title: session.room === undefined ? day.title : `${day.title} – ${session.room}`,
          sessionIds: [session.id],
          startsAt: scheduled.startsAt,
          endsAt: scheduled.endsAt,
          record: day.record === true,
          maxParticipants: day.maxParticipants,
          interpretation:
            day.kind === 'conference'
              ? {
                  languages: day.interpretation?.languages ?? [...DEFAULT_INTERPRETATION_LANGUAGES],
                  interpreters: day.interpretation?.interpreters ?? [],
                }
              : undefined,
        });
      } else {
        room.sessionIds.push(session.id);
        if (scheduled.startsAt < room.startsAt) room.startsAt = scheduled.startsAt;
        if (scheduled.endsAt > room.endsAt) room.endsAt = scheduled.endsAt;
      }
    }
  }
  sessions.sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
  return { sessions, rooms: [...rooms.values()] };
}
