import { joinWindow } from '../../domain/join-window.js';
import { isSupportedInterpretationLanguage } from '../../domain/interpretation-languages.js';
import { languageName } from '../../i18n/format.js';
import type { Language } from '../../i18n/languages.js';
import { participantLinks } from '../../domain/links.js';
import type { Participant } from '../../domain/participant.js';
import type { LoadedEvent } from '../../services/participant-access.js';
import type { CalendarModel } from './views/calendar.js';
import type { ParticipantPageModel } from './views/page-model.js';

export interface PageContext {
  token: string;
  publicBaseUrl: string;
  now: Date;
  language: Language;
  /** Whether reminders by mail are on for this participant (they can switch them on the page). */
  remindersOn: boolean;
}

export function buildPageModel(event: LoadedEvent, participant: Participant, context: PageContext): ParticipantPageModel {
  const { token, publicBaseUrl, now, language } = context;
  const { programme } = event.stored;
  // Forms post to our own origin (CSP form-action 'self'), whatever PUBLIC_BASE_URL says.
  const path = `/p/${token}`;
  const links = participantLinks(publicBaseUrl, token, event.schedule.sessions.map((s) => s.id));
  const rooms = new Map(event.schedule.rooms.map((r) => [r.id, r]));
  return {
    language,
    event: { title: programme.title, timezone: programme.timezone },
    participant: { name: participant.name, role: participant.role },
    now: now.toISOString(),
    calendarUrl: links.calendar,
    ...(event.schedule.sessions.every((s) => Date.parse(s.endsAt) <= now.getTime()) ? { attendanceUrl: `${links.page}/attendance` } : {}),
    cancelUrl: `${links.page}/cancel`,
    reminders: { on: context.remindersOn, stopAction: `${path}/unsubscribe`, resumeAction: `${path}/reminders` },
    // In date order whatever the order of the programme file; on a shared date the earlier day first.
    days: [...programme.days].sort((a, b) => a.date.localeCompare(b.date) || firstStart(event, a) - firstStart(event, b)).map((day) => {
      const sessions = event.schedule.sessions.filter((s) => s.date === day.date && s.kind === day.kind);
      const languages = sessions.length > 0 ? rooms.get(sessions[0]?.roomId ?? '')?.interpretation?.languages : undefined;
      return {
        date: day.date,
        title: day.title,
        kind: day.kind,
        ...(languages
          ? { interpretationLanguages: languages.filter(isSupportedInterpretationLanguage).map((code) => ({ code, name: languageName(code, language) })) }
          : {}),
        sessions: sessions.map((s) => {
          const window = joinWindow(Date.parse(s.startsAt), Date.parse(s.endsAt), programme.joinOpensMinutesBefore, now.getTime());
          return {
            id: s.id,
            title: s.title,
            ...(s.description !== undefined ? { description: s.description } : {}),
            startsAt: s.startsAt,
            endsAt: s.endsAt,
            localStart: s.localStart,
            localEnd: s.localEnd,
            joinOpensAt: new Date(Date.parse(s.startsAt) - programme.joinOpensMinutesBefore * 60_000).toISOString(),
            joinUrl: links.join[s.id] ?? '',
            state: window.state === 'before' ? 'upcoming' : window.state === 'open' ? 'open' : 'ended',
          };
        }),
      };
    }),
  };
}

function firstStart(event: LoadedEvent, day: { date: string; kind: string }): number {
  const starts = event.schedule.sessions.filter((s) => s.date === day.date && s.kind === day.kind).map((s) => Date.parse(s.startsAt));
  return starts.length > 0 ? Math.min(...starts) : 0;
}

export function buildCalendarModel(event: LoadedEvent, participant: Participant, token: string, publicBaseUrl: string, language: Language): CalendarModel {
  const { programme, version } = event.stored;
  const links = participantLinks(publicBaseUrl, token, event.schedule.sessions.map((s) => s.id));
  return {
    language,
    event: { id: programme.id, title: programme.title, timezone: programme.timezone },
    participantId: participant.id,
    sequence: version,
    pageUrl: links.page,
    sessions: event.schedule.sessions.map((s) => ({
      id: s.id,
      title: s.title,
      ...(s.description !== undefined ? { description: s.description } : {}),
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      joinUrl: links.join[s.id] ?? links.page,
      kind: s.kind,
    })),
  };
}
