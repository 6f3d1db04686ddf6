import { DateTime } from 'luxon';
import { z } from 'zod';
import { isSupportedInterpretationLanguage, SUPPORTED_INTERPRETATION_LANGUAGES } from './interpretation-languages.js';
import { isValidZone, localToInstant } from './local-time.js';
import { registrationIssues, registrationSettingsSchema } from './registration.js';
import { isSupportedLanguage } from '../i18n/languages.js';

export const idSchema = z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be 1 to 64 characters of a-z, 0-9 and -');
// A window of sane years: beyond it luxon's instants serialise as `+010000-…` and jobs would be scheduled
// for the year 10000; no event of this service is planned outside it.
const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'must be a date between 2000-01-01 and 2100-12-31');
const timeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (00:00 to 23:59)');
const languageSchema = z
  .string()
  .refine(isSupportedInterpretationLanguage, {
    message: `must be one of the languages Zoom interprets: ${SUPPORTED_INTERPRETATION_LANGUAGES.join(', ')}`,
  });

export const sessionSchema = z.strictObject({
  id: idSchema,
  title: z.string().trim().min(1).max(200),
  start: timeSchema,
  end: timeSchema,
  room: idSchema.optional().describe('a parallel room on an academy day, e.g. workshop-a'),
  description: z.string().max(2000).optional(),
});

export const interpretationSchema = z.strictObject({
  languages: z.array(languageSchema).min(2).max(9),
  interpreters: z
    .array(z.strictObject({ email: z.email().max(128), from: languageSchema, to: languageSchema }))
    .max(20)
    .default([]),
});

export const DEFAULT_INTERPRETATION_LANGUAGES = ['en', 'de', 'fr', 'es'] as const;

export const daySchema = z.strictObject({
  date: dateSchema,
  kind: z.enum(['academy', 'conference']),
  title: z.string().trim().min(1).max(200),
  record: z.boolean().optional().describe('academy days: record the BigBlueButton rooms (off unless true)'),
  maxParticipants: z.number().int().min(1).max(100000).optional(),
  sessions: z.array(sessionSchema).min(1, 'a day needs at least one session').max(100),
  interpretation: interpretationSchema.optional(),
});

const programmeObject = z.strictObject({
  id: idSchema,
  title: z.string().trim().min(1).max(200),
  timezone: z.string().refine(isValidZone, 'must be an IANA time zone such as Europe/Vienna'),
  joinOpensMinutesBefore: z.number().int().min(0).max(240).default(15),
  language: z
    .string()
    .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag such as en or de-AT')
    .refine((tag) => isSupportedLanguage(tag.split('-')[0] ?? ''), 'must be en, de, fr or es (optionally with a region, e.g. de-AT)')
    .default('en')
    .describe("the event's language for messages and pages when a participant has none"),
  reminders: z
    .strictObject({
      minutesBefore: z
        .array(z.number().int().min(1).max(20160))
        .max(10)
        .refine((a) => new Set(a).size === a.length, 'offsets must not repeat')
        .default([1440, 60]),
    })
    .default({ minutesBefore: [1440, 60] })
    .describe('one reminder per offset before the first session of every day; [] turns them off'),
  certificate: z
    .strictObject({
      minimumPercent: z.number().min(0).max(100).describe('presence needed, as a share of the union of all session times'),
      organizer: z.string().trim().min(1).max(300).optional().describe("the certificate's organizer line, e.g. the issuing institution"),
    })
    .optional()
    .describe('certificates of attendance; absent: none are issued'),
  registration: registrationSettingsSchema.optional(),
  days: z.array(daySchema).min(1).max(60),
});

export const programmeSchema = programmeObject.superRefine(checkProgrammeRules);

export type ProgrammeInput = z.input<typeof programmeSchema>;
export type Programme = z.output<typeof programmeSchema>;
export type Day = Programme['days'][number];
export type Session = Day['sessions'][number];

type Ctx = z.RefinementCtx;

function checkProgrammeRules(p: z.output<typeof programmeObject>, ctx: Ctx): void {
  const zoneOk = isValidZone(p.timezone);
  if (zoneOk && p.registration) for (const issue of registrationIssues(p.registration, p.timezone)) ctx.addIssue({ code: 'custom', ...issue });
  const sessionIds = new Map<string, string>();
  const dates = new Set<string>();

  p.days.forEach((day, d) => {
    const dayPath = ['days', d];
    if (!DateTime.fromISO(day.date).isValid) {
      ctx.addIssue({ code: 'custom', path: [...dayPath, 'date'], message: `${day.date} is not a calendar date` });
    }
    // An academy day and a conference day may share a date (they run in different rooms); two of a kind may not.
    if (dates.has(`${day.kind}:${day.date}`)) {
      ctx.addIssue({ code: 'custom', path: [...dayPath, 'date'], message: `another ${day.kind} day already has the date ${day.date}` });
    }
    dates.add(`${day.kind}:${day.date}`);
    checkDayKind(day, dayPath, ctx);

    const spans: Array<{ room: string; start: number; end: number; s: number }> = [];
    day.sessions.forEach((session, s) => {
      const path = [...dayPath, 'sessions', s];
      const seen = sessionIds.get(session.id);
      if (seen !== undefined) {
        ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `duplicate session id "${session.id}" (also at ${seen})` });
      } else {
        sessionIds.set(session.id, path.join('.'));
      }
      if (!zoneOk || !DateTime.fromISO(day.date).isValid) return;
      const start = toInstant(day.date, session.start, p.timezone, [...path, 'start'], ctx);
      const end = toInstant(day.date, session.end, p.timezone, [...path, 'end'], ctx);
      if (start === undefined || end === undefined) return;
      if (end <= start) {
        ctx.addIssue({ code: 'custom', path: [...path, 'end'], message: `must be after start (${session.start})` });
        return;
      }
      spans.push({ room: session.room ?? '', start, end, s });
    });

    spans.sort((a, b) => a.start - b.start);
    const lastEndByRoom = new Map<string, { end: number; s: number }>();
    for (const span of spans) {
      const previous = lastEndByRoom.get(span.room);
      if (previous !== undefined && span.start < previous.end) {
        const other = day.sessions[previous.s]?.id ?? '';
        ctx.addIssue({
          code: 'custom',
          path: [...dayPath, 'sessions', span.s, 'start'],
          message: `overlaps session "${other}" in the same room`,
        });
      }
      if (previous === undefined || span.end > previous.end) lastEndByRoom.set(span.room, { end: span.end, s: span.s });
    }
  });
}

function checkDayKind(day: Day, dayPath: Array<string | number>, ctx: Ctx): void {
  if (day.kind === 'academy' && day.interpretation !== undefined) {
    ctx.addIssue({ code: 'custom', path: [...dayPath, 'interpretation'], message: 'interpretation is only available on conference days' });
  }
  if (day.kind === 'conference') {
    day.sessions.forEach((session, s) => {
      if (session.room !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [...dayPath, 'sessions', s, 'room'],
          message: 'conference days run in one webinar; parallel rooms exist on academy days only',
        });
      }
    });
    if (day.record !== undefined) {
      ctx.addIssue({ code: 'custom', path: [...dayPath, 'record'], message: 'recording is set for academy days only' });
    }
  }
  const interpretation = day.interpretation;
  if (interpretation === undefined) return;
  const languages = new Set(interpretation.languages);
  if (languages.size !== interpretation.languages.length) {
    ctx.addIssue({ code: 'custom', path: [...dayPath, 'interpretation', 'languages'], message: 'languages must not repeat' });
  }
  interpretation.interpreters.forEach((interpreter, i) => {
    const path = [...dayPath, 'interpretation', 'interpreters', i];
    for (const side of ['from', 'to'] as const) {
      if (!languages.has(interpreter[side])) {
        ctx.addIssue({ code: 'custom', path: [...path, side], message: `"${interpreter[side]}" is not one of the day's languages` });
      }
    }
    if (interpreter.from === interpreter.to) {
      ctx.addIssue({ code: 'custom', path: [...path, 'to'], message: 'must differ from "from"' });
    }
  });
}

function toInstant(date: string, time: string, zone: string, path: Array<string | number>, ctx: Ctx): number | undefined {
  const result = localToInstant(date, time, zone);
  if (result.ok) return result.instant.toMillis();
  ctx.addIssue({
    code: 'custom',
    path,
    message:
      result.reason === 'nonexistent'
        ? `${time} does not exist on ${date} in ${zone}: the clocks spring forward over it`
        : `${date} ${time} is not a valid time`,
  });
  return undefined;
}
