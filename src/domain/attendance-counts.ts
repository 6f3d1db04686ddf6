import { z } from 'zod';

/**
 * Anonymous attendance: how many people attended and how many minutes they attended together, per session, per
 * day and for the whole event. What is left of a person's attendance once they are erased: their share is added
 * to these counts and every record naming them goes, so the counts never change because someone was erased.
 */
export const attendanceCountsSchema = z.object({
  /** People present for at least one whole minute. */
  attendees: z.number().int(),
  /** Their whole minutes added up. */
  minutes: z.number().int(),
});
export type AttendanceCounts = z.infer<typeof attendanceCountsSchema>;

export const attendanceTotalsSchema = attendanceCountsSchema.extend({
  days: z.array(attendanceCountsSchema.extend({ date: z.string() })),
  sessions: z.array(attendanceCountsSchema.extend({ id: z.string() })),
});
export type AttendanceTotals = z.infer<typeof attendanceTotalsSchema>;

/** Counts by session id and by date: a store keeps them this way, since sessions may be renamed or removed later. */
export interface AttendanceTally {
  total: AttendanceCounts;
  days: Map<string, AttendanceCounts>;
  sessions: Map<string, AttendanceCounts>;
}

/** One person's minutes as the report shows them (whole minutes). */
export interface PersonMinutes {
  minutes: number;
  days: Array<{ date: string; minutes: number }>;
  sessions: Array<{ id: string; minutes: number }>;
}

export const emptyTally = (): AttendanceTally => ({ total: { attendees: 0, minutes: 0 }, days: new Map(), sessions: new Map() });

const ZERO: AttendanceCounts = { attendees: 0, minutes: 0 };
const plus = (a: AttendanceCounts, b: AttendanceCounts): AttendanceCounts => ({ attendees: a.attendees + b.attendees, minutes: a.minutes + b.minutes });
/** A row with no whole minute counts nobody: the report never claims a minute nobody was there for. */
const share = (minutes: number): AttendanceCounts => (minutes > 0 ? { attendees: 1, minutes } : ZERO);

/** Adds one person's minutes into `into` (mutated, for a report of thousands of rows). */
export function addPerson(into: AttendanceTally, person: PersonMinutes): AttendanceTally {
  into.total = plus(into.total, share(person.minutes));
  for (const d of person.days) if (d.minutes > 0) into.days.set(d.date, plus(into.days.get(d.date) ?? ZERO, share(d.minutes)));
  for (const s of person.sessions) if (s.minutes > 0) into.sessions.set(s.id, plus(into.sessions.get(s.id) ?? ZERO, share(s.minutes)));
  return into;
}

export function addTally(into: AttendanceTally, other: AttendanceTally): AttendanceTally {
  into.total = plus(into.total, other.total);
  for (const [date, c] of other.days) into.days.set(date, plus(into.days.get(date) ?? ZERO, c));
  for (const [id, c] of other.sessions) into.sessions.set(id, plus(into.sessions.get(id) ?? ZERO, c));
  return into;
}

/**
 * The tally laid out along the current programme. Counts kept for a session or day the programme no longer has
 * are left out of those lists but stay in the event's total: the people were there.
 */
export function totalsFor(tally: AttendanceTally, days: readonly string[], sessionIds: readonly string[]): AttendanceTotals {
  return {
    ...tally.total,
    days: days.map((date) => ({ date, ...(tally.days.get(date) ?? ZERO) })),
    sessions: sessionIds.map((id) => ({ id, ...(tally.sessions.get(id) ?? ZERO) })),
  };
}
