import type { Redis } from 'ioredis';
import { emptyTally, type AttendanceCounts, type AttendanceTally } from '../domain/attendance-counts.js';
import type { KeySpace } from './redis.js';

/**
 * What erased people's attendance became: counts per event, session and day, with nothing to tell whose they
 * are. One hash per event, fields `a`/`m` (attendees, minutes) for the event, `s:{sessionId}:a|m` and
 * `d:{date}:a|m`; HINCRBY makes each addition one atomic step however many erasures run at once.
 */
export interface AnonymousAttendanceStore {
  add(eventId: string, tally: AttendanceTally): Promise<void>;
  get(eventId: string): Promise<AttendanceTally>;
}

export function createAnonymousAttendanceStore(redis: Redis, keys: KeySpace): AnonymousAttendanceStore {
  const key = (eventId: string) => keys.key('event', eventId, 'anonymous-attendance');

  return {
    async add(eventId, tally) {
      const increments: Array<[string, number]> = [
        ['a', tally.total.attendees],
        ['m', tally.total.minutes],
        ...[...tally.days].flatMap(([date, c]): Array<[string, number]> => [[`d:${date}:a`, c.attendees], [`d:${date}:m`, c.minutes]]),
        ...[...tally.sessions].flatMap(([id, c]): Array<[string, number]> => [[`s:${id}:a`, c.attendees], [`s:${id}:m`, c.minutes]]),
      ];
      const nonZero = increments.filter(([, by]) => by !== 0);
      if (nonZero.length === 0) return;
      const multi = redis.multi();
      for (const [field, by] of nonZero) multi.hincrby(key(eventId), field, by);
      await multi.exec();
    },
    async get(eventId) {
      const tally = emptyTally();
      const into = (map: Map<string, AttendanceCounts>, name: string, kind: string, value: number) => {
        const counts = map.get(name) ?? { attendees: 0, minutes: 0 };
        if (kind === 'a') counts.attendees = value;
        else counts.minutes = value;
        map.set(name, counts);
      };
      for (const [field, raw] of Object.entries(await redis.hgetall(key(eventId)))) {
        const value = Number(raw);
        if (field === 'a') tally.total.attendees = value;
        else if (field === 'm') tally.total.minutes = value;
        else {
          // Session ids and dates have no colon, so the field splits unambiguously.
          const [scope, name, kind] = field.split(':');
          if (name === undefined || kind === undefined) continue;
          into(scope === 's' ? tally.sessions : tally.days, name, kind, value);
        }
      }
      return tally;
    },
  };
}
