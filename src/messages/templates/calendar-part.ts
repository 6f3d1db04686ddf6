import type { ParticipantLinks } from '../../domain/links.js';
import type { ScheduledSession } from '../../domain/schedule.js';
import { renderCalendar, type CalendarModel } from '../../http/participant/views/calendar.js';
import type { Translate } from '../../i18n/i18n.js';
import type { Language } from '../../i18n/languages.js';

export interface CalendarPart {
  filename: string;
  /** Must match the METHOD inside the content (RFC 6047 §2.4); the feed's renderer writes PUBLISH. */
  method: 'PUBLISH';
  content: string;
}

export interface CalendarPartInput {
  language: Language;
  event: { id: string; title: string; timezone: string };
  participantId: string;
  /** The programme version: the feed's SEQUENCE, so a client replaces the events it already has. */
  version: number;
  links: Pick<ParticipantLinks, 'page' | 'join'>;
  sessions: readonly ScheduledSession[];
}

/** The same model the feed route builds (build-views.ts buildCalendarModel), from what a worker holds. */
export function calendarModelFor(input: CalendarPartInput): CalendarModel {
  return {
    language: input.language,
    event: input.event,
    participantId: input.participantId,
    sequence: input.version,
    pageUrl: input.links.page,
    sessions: input.sessions.map((s) => ({
      id: s.id,
      title: s.title,
      ...(s.description !== undefined ? { description: s.description } : {}),
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      joinUrl: input.links.join[s.id] ?? input.links.page,
      kind: s.kind,
    })),
  };
}

/** renderCalendar, or something that writes exactly what it writes (calendar-template.ts, for a worker). */
export type CalendarRenderer = (model: CalendarModel, t: Translate) => string;

/**
 * The invitation's and the update's text/calendar part: the feed's own renderer, so UIDs, SEQUENCE and the
 * VTIMEZONE are exactly what a subscribed calendar already holds and an import updates rather than duplicates.
 */
export function calendarPart(input: CalendarPartInput, t: Translate, render: CalendarRenderer = renderCalendar): CalendarPart {
  return { filename: 'programme.ics', method: 'PUBLISH', content: render(calendarModelFor(input), t) };
}
