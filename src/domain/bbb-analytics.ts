import { createHash } from 'node:crypto';
import { z } from 'zod';
import { fromJoinsAndLeaves, type Interval } from './attendance.js';

/**
 * BigBlueButton's learning-analytics callback body, as built by
 * record-and-playback/core/scripts/post_events/post_events_analytics_callback.rb (bigbluebutton/bigbluebutton):
 * `{version: "1.0", meeting_id: <external id>, internal_meeting_id, data}` with `data` from bbb-events
 * (`Recording#as_json`, `Attendee#as_json`) and every key snake_cased. Instants are
 * `%Y-%m-%dT%H:%M:%S.%L%:z` in bbb-events 2.x; 1.x wrote Ruby's `Time#to_s` ("2024-02-05 09:00:12 +0100").
 */
const RUBY_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/;

export function parseBbbInstant(value: string): number {
  const ruby = RUBY_TIME.exec(value.trim());
  const iso = ruby ? `${ruby[1]}T${ruby[2]}${ruby[3]}:${ruby[4]}` : value.trim();
  // Only instants that name their offset: a bare local time would be read in this server's zone.
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) return Number.NaN;
  return Date.parse(iso);
}

const instant = z
  .string()
  .max(64)
  .transform((v, ctx) => {
    const ms = parseBbbInstant(v);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be a date-time with an offset' });
      return z.NEVER;
    }
    return ms;
  });

const attendeeSchema = z.looseObject({
  // Joins without a userID get one BigBlueButton makes up; ours always carry the participant id.
  ext_user_id: z.string().max(256).nullish(),
  name: z.string().max(512).optional(),
  moderator: z.boolean().optional(),
  joins: z.array(instant).max(10_000).default([]),
  leaves: z.array(instant).max(10_000).default([]),
});

export const bbbAnalyticsSchema = z.looseObject({
  version: z.string().max(16),
  meeting_id: z.string().min(1).max(256),
  internal_meeting_id: z.string().min(1).max(320),
  data: z.looseObject({
    start: instant.optional(),
    finish: instant.optional(),
    attendees: z.array(attendeeSchema).max(100_000).default([]),
  }),
});
export type BbbAnalytics = z.output<typeof bbbAnalyticsSchema>;

/**
 * BigBlueButton's internal meeting id is `sha1hex(meetingID)-createTimeMillis` (ParamsProcessorUtil): a callback
 * whose internal id does not derive from the external one is not about the meeting it names.
 */
export function internalIdMatches(meetingID: string, internalMeetingID: string): boolean {
  const [hash, createTime, ...rest] = internalMeetingID.split('-');
  return rest.length === 0 && /^\d{1,16}$/.test(createTime ?? '') && hash === createHash('sha1').update(meetingID, 'utf8').digest('hex');
}

/** Presence per external user id; bbb-events already closes open stays at the meeting's finish, this does it too. */
export function analyticsPresence(payload: BbbAnalytics): Map<string, Interval[]> {
  const byUser = new Map<string, { joins: number[]; leaves: number[] }>();
  let lastMark = 0;
  for (const a of payload.data.attendees) for (const at of [...a.joins, ...a.leaves]) if (at > lastMark) lastMark = at;
  const finish = payload.data.finish ?? lastMark;
  for (const attendee of payload.data.attendees) {
    const id = attendee.ext_user_id;
    if (!id) continue;
    const entry = byUser.get(id) ?? { joins: [], leaves: [] };
    entry.joins.push(...attendee.joins);
    entry.leaves.push(...attendee.leaves);
    byUser.set(id, entry);
  }
  const out = new Map<string, Interval[]>();
  for (const [id, { joins, leaves }] of byUser) out.set(id, fromJoinsAndLeaves(joins, leaves, finish));
  return out;
}
