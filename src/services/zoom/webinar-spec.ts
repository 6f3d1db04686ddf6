import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { interpreterLanguagesValue } from '../../domain/interpretation-languages.js';
import type { Programme } from '../../domain/programme.js';
import type { RoomPlan, ScheduledSession } from '../../domain/schedule.js';
import type { ZoomWebinar, ZoomWebinarBody } from '../../providers/zoom/zoom-schemas.js';
import { webinarTimeWindow, zoomTimeZoneFor } from './webinar-time-zone.js';

/**
 * The webinar a conference day needs. Settings are spelled out even where they look like defaults:
 * omitted settings inherit the account's own defaults, which differ between accounts.
 * https://developers.zoom.us/docs/api/meetings/#tag/webinars/POST/users/{userId}/webinars
 */
export function webinarSpec(programme: Programme, room: RoomPlan, sessions: readonly ScheduledSession[]): ZoomWebinarBody {
  const start = DateTime.fromISO(room.startsAt, { zone: 'utc' });
  const durationMinutes = Math.max(1, Math.round(DateTime.fromISO(room.endsAt).diff(start, 'minutes').minutes));
  const agenda = sessions
    .filter((s) => s.roomId === room.id)
    .map((s) => `${s.localStart}–${s.localEnd} ${s.title}`)
    .join('\n');
  const interpreters = (room.interpretation?.interpreters ?? []).map((i) => ({
    email: i.email,
    interpreter_languages: interpreterLanguagesValue(i.from, i.to),
  }));
  // Zoom refuses zones that are not on its list; without one it shows the host's zone, and the start stays right.
  const timezone = zoomTimeZoneFor(programme.timezone, webinarTimeWindow(room, programme.timezone));
  return {
    topic: `${programme.title} – ${room.title}`.slice(0, 200),
    type: 5,
    start_time: start.toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'"),
    ...(timezone === undefined ? {} : { timezone }),
    duration: durationMinutes,
    agenda: `${agenda}\n(times in ${programme.timezone})`.slice(0, 2000),
    settings: {
      approval_type: 0,
      registration_type: 1,
      // Participants get their personal link from us; Zoom's own mails would send a second, different one.
      registrants_email_notification: false,
      registrants_confirmation_email: false,
      panelists_invitation_email_notification: false,
      practice_session: false,
      hd_video: true,
      host_video: true,
      panelists_video: true,
      on_demand: false,
      auto_recording: 'none',
      audio: 'both',
      language_interpretation: { enable: interpreters.length > 0, interpreters },
    },
  };
}

/** Problems with what Zoom stored, compared with what was asked; empty when interpretation stuck. */
export function interpretationMismatches(spec: ZoomWebinarBody, stored: ZoomWebinar): string[] {
  const wanted = spec.settings.language_interpretation;
  if (!wanted?.enable) return [];
  const got = stored.settings?.language_interpretation;
  if (!got?.enable) return ['language interpretation is not enabled on the webinar (the account may lack the feature)'];
  const have = new Set((got.interpreters ?? []).map((i) => `${i.email.toLowerCase()}|${i.interpreter_languages ?? ''}`));
  return wanted.interpreters
    .filter((i) => !have.has(`${i.email.toLowerCase()}|${i.interpreter_languages}`))
    .map((i) => `interpreter ${i.email} (${i.interpreter_languages}) is missing`);
}

/** Identifies what was last sent to Zoom, so an unchanged programme causes no write (Zoom allows 100 per host and day). */
export function webinarSpecHash(spec: ZoomWebinarBody): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 32);
}
