import type { Language } from '../../../i18n/languages.js';

export interface PageSession {
  id: string;
  title: string;
  description?: string;
  /** UTC ISO instant. */
  startsAt: string;
  endsAt: string;
  /** 'HH:MM' in the event zone. */
  localStart: string;
  localEnd: string;
  /** UTC ISO instant from which the join link admits participants. */
  joinOpensAt: string;
  joinUrl: string;
  state: 'upcoming' | 'open' | 'ended';
}

export interface PageDay {
  /** YYYY-MM-DD in the event zone. */
  date: string;
  title: string;
  kind: 'academy' | 'conference';
  sessions: PageSession[];
  interpretationLanguages?: Array<{ code: string; name: string }>;
}

export interface ParticipantPageModel {
  /** What the page is written in: the participant's language, else the event's, else English. */
  language: Language;
  event: { title: string; timezone: string };
  participant: { name: string; role: 'participant' | 'moderator' | 'panelist' };
  /** UTC ISO instant the page was rendered at; the browser script corrects its own clock by it. */
  now: string;
  days: PageDay[];
  calendarUrl: string;
  /** After the last session: the participant's attendance and certificate page. */
  attendanceUrl?: string;
  /** The page asking to confirm a cancellation (self-service, like the organizer's DELETE). */
  cancelUrl?: string;
  /** The reminders switch; the forms post to our own origin (site-relative paths). */
  reminders?: { on: boolean; stopAction: string; resumeAction: string };
}
