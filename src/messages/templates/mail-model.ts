import type { SessionChange } from '../../domain/messages.js';
import type { ParticipantRole } from '../../domain/participant.js';
import type { Schedule, ScheduledSession } from '../../domain/schedule.js';
import type { Language } from '../../i18n/languages.js';

export interface MailSession {
  id: string;
  title: string;
  /** UTC ISO instants. */
  startsAt: string;
  endsAt: string;
  /** HH:MM in the event zone, as the organizers wrote them (what the personal page shows too). */
  localStart: string;
  localEnd: string;
}

export interface MailDay {
  date: string;
  kind: 'academy' | 'conference';
  title: string;
  sessions: MailSession[];
  /** ISO 639-1 codes of the conference day's interpretation. */
  interpretationLanguages?: string[];
}

/**
 * What every mail to a registered participant knows. Only our own link is here: a model has no field a provider
 * URL could travel in.
 */
export interface MailBase {
  language: Language;
  event: { title: string; timezone: string; joinOpensMinutesBefore: number };
  participant: { name: string; role: ParticipantRole };
  links: { page: string };
}

export interface InvitationMail extends MailBase {
  kind: 'invitation';
  days: MailDay[];
}

export interface ReminderMail extends MailBase {
  kind: 'reminder';
  /** The date reminded of (event zone) and how long before its first session this is sent. */
  date: string;
  minutesBefore: number;
  /** The days on that date (an academy day and the conference may share one). */
  days: MailDay[];
}

export interface UpdateMail extends MailBase {
  kind: 'update';
  changes: SessionChange[];
}

export interface ConfirmationMail {
  kind: 'confirmation';
  step?: 'confirm';
  language: Language;
  event: { title: string };
  participant: { name: string };
  /** The one link of a confirmation: the page with the confirm button (no personal page exists yet). */
  links: { confirm: string };
}

/** Confirmed beyond capacity: no link at all, only where they stand; a place freeing up brings the invitation. */
export interface WaitlistMail {
  kind: 'confirmation';
  step: 'waitlisted';
  language: Language;
  event: { title: string };
  participant: { name: string };
  position: number;
}

export interface CertificateMail extends MailBase {
  kind: 'certificate';
  hoursAttended: number;
  links: { page: string; certificate: string };
}

export type MailModel = InvitationMail | ReminderMail | UpdateMail | ConfirmationMail | WaitlistMail | CertificateMail;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  language: Language;
}

/** RFC 8058's target, also linked from the reminder's text; a POST there turns reminders off. */
export function unsubscribeUrl(pageUrl: string): string {
  return `${pageUrl}/unsubscribe`;
}

/**
 * The participant's sessions grouped into the programme's days, in time order; on a shared date the day that
 * starts first comes first. Interpretation languages come from the day's webinar room.
 */
export function mailDays(schedule: Schedule, sessions: readonly ScheduledSession[]): MailDay[] {
  const rooms = new Map(schedule.rooms.map((r) => [r.id, r]));
  const days = new Map<string, MailDay>();
  const ordered = [...sessions].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
  for (const s of ordered) {
    const key = `${s.date}|${s.kind}`;
    let day = days.get(key);
    if (!day) {
      const languages = rooms.get(s.roomId)?.interpretation?.languages;
      day = { date: s.date, kind: s.kind, title: s.dayTitle, sessions: [], ...(languages ? { interpretationLanguages: [...languages] } : {}) };
      days.set(key, day);
    }
    day.sessions.push({ id: s.id, title: s.title, startsAt: s.startsAt, endsAt: s.endsAt, localStart: s.localStart, localEnd: s.localEnd });
  }
  return [...days.values()];
}
