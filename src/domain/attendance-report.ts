import { z } from 'zod';
import { isEligible, requiredMs, summarize, wholeMinutes, type AttendanceSummary, type Interval, type SessionWindow } from './attendance.js';
import { addPerson, addTally, attendanceTotalsSchema, emptyTally, totalsFor, type AttendanceTally, type PersonMinutes } from './attendance-counts.js';
import type { ScheduledSession } from './schedule.js';

export const attendanceRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  minutes: z.number().int(),
  days: z.array(z.object({ date: z.string(), minutes: z.number().int() })),
  sessions: z.array(z.object({ id: z.string(), minutes: z.number().int() })),
  certificate: z.object({ eligible: z.boolean(), url: z.string().optional().describe('the public verification page, once issued') }),
});
export type AttendanceRow = z.infer<typeof attendanceRowSchema>;

export const attendanceReportSchema = z.object({
  /** The union of all session times, in minutes: 100 % attendance. */
  requiredMinutes: z.number().int(),
  minimumPercent: z.number().optional(),
  days: z.array(z.string()),
  sessions: z.array(z.object({ id: z.string(), title: z.string(), date: z.string(), startsAt: z.string(), endsAt: z.string() })),
  participants: z.array(attendanceRowSchema),
  totals: attendanceTotalsSchema.describe(
    'attendees (present for at least one whole minute) and their minutes added up, per day, per session and in all: the participants above and, anonymously, people erased since',
  ),
});
export type AttendanceReport = z.infer<typeof attendanceReportSchema>;

export interface ReportPerson {
  id: string;
  name: string;
  email: string;
}

export interface ReportInput {
  sessions: readonly ScheduledSession[];
  people: readonly ReportPerson[];
  /** Per participant, per room: presence from every source (unions are taken here). */
  presence: ReadonlyMap<string, ReadonlyMap<string, readonly Interval[]>>;
  minimumPercent: number | undefined;
  /** Verification URLs of issued certificates, by participant. */
  certificateUrls: ReadonlyMap<string, string>;
  /** What erased people left behind: counts only, added to the totals. */
  anonymous?: AttendanceTally;
}

export function sessionWindows(sessions: readonly ScheduledSession[]): SessionWindow[] {
  return sessions.map((s) => ({ id: s.id, date: s.date, roomId: s.roomId, start: Date.parse(s.startsAt), end: Date.parse(s.endsAt) }));
}

const NONE: ReadonlyMap<string, readonly Interval[]> = new Map();

const datesOf = (sessions: readonly ScheduledSession[]) => [...new Set(sessions.map((s) => s.date))].sort();

function minutesOf(summary: AttendanceSummary, days: readonly string[], windows: readonly SessionWindow[]): PersonMinutes {
  return {
    minutes: wholeMinutes(summary.totalMs),
    days: days.map((date) => ({ date, minutes: wholeMinutes(summary.dayMs.get(date) ?? 0) })),
    sessions: windows.map((w) => ({ id: w.id, minutes: wholeMinutes(summary.sessionMs.get(w.id) ?? 0) })),
  };
}

/** One person's minutes exactly as their report row counts them (their export, their share when erased). */
export function personMinutes(sessions: readonly ScheduledSession[], presenceByRoom: ReadonlyMap<string, readonly Interval[]>): PersonMinutes {
  const windows = sessionWindows(sessions);
  return minutesOf(summarize(presenceByRoom, windows), datesOf(sessions), windows);
}

/**
 * One row per participant: minutes in total, per day (event zone dates) and per session, and eligibility; and
 * the totals over those rows and the anonymous counts.
 */
export function buildAttendanceReport(input: ReportInput): AttendanceReport {
  const windows = sessionWindows(input.sessions);
  const required = requiredMs(windows);
  const days = datesOf(input.sessions);
  const tally = input.anonymous ? addTally(emptyTally(), input.anonymous) : emptyTally();
  const participants = input.people.map((person): AttendanceRow => {
    const summary = summarize(input.presence.get(person.id) ?? NONE, windows);
    const url = input.certificateUrls.get(person.id);
    const eligible = input.minimumPercent !== undefined && isEligible(summary.totalMs, required, input.minimumPercent);
    const counted = minutesOf(summary, days, windows);
    addPerson(tally, counted);
    return {
      id: person.id,
      name: person.name,
      email: person.email,
      ...counted,
      certificate: url !== undefined ? { eligible, url } : { eligible },
    };
  });
  return {
    requiredMinutes: wholeMinutes(required),
    ...(input.minimumPercent !== undefined ? { minimumPercent: input.minimumPercent } : {}),
    days,
    sessions: input.sessions.map((s) => ({ id: s.id, title: s.title, date: s.date, startsAt: s.startsAt, endsAt: s.endsAt })),
    participants,
    totals: totalsFor(tally, days, windows.map((w) => w.id)),
  };
}

/**
 * One CSV cell (RFC 4180). A text starting with = + - @ tab or CR is what spreadsheets run as a formula
 * (OWASP "CSV injection"), so it gets a leading apostrophe; quotes are doubled and any cell with a comma,
 * quote or line break is quoted.
 */
export function csvCell(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const line = (cells: ReadonlyArray<string | number | boolean>) => `${cells.map(csvCell).join(',')}\r\n`;

/** The report as CSV lines, header first: a generator, so a large report streams instead of being built whole. */
export function* attendanceCsv(report: AttendanceReport): Generator<string> {
  yield line([
    'participant_id',
    'name',
    'email',
    'total_minutes',
    ...report.days.map((d) => `day_${d}_minutes`),
    ...report.sessions.map((s) => `session_${s.id}_minutes`),
    'certificate_eligible',
    'certificate_url',
  ]);
  for (const row of report.participants) {
    yield line([
      row.id,
      row.name,
      row.email,
      row.minutes,
      ...row.days.map((d) => d.minutes),
      ...row.sessions.map((s) => s.minutes),
      row.certificate.eligible,
      row.certificate.url ?? '',
    ]);
  }
}
