import { UnrecoverableError, type Job } from 'bullmq';
import type { Counter } from 'prom-client';
import type { Clock } from '../../clock.js';
import { participantLinks } from '../../domain/links.js';
import { signLink, type SigningKey } from '../../domain/link-token.js';
import { messageKind, participantSessions, type MessageRecord } from '../../domain/messages.js';
import type { Participant } from '../../domain/participant.js';
import { scheduleProgramme, type Schedule } from '../../domain/schedule.js';
import type { Translations } from '../../i18n/i18n.js';
import { pickLanguage } from '../../i18n/languages.js';
import type { Logger } from '../../logger.js';
import { calendarPart } from '../../messages/templates/calendar-part.js';
import { createCalendarTemplates } from '../../messages/templates/calendar-template.js';
import { mailDays, unsubscribeUrl, type MailModel } from '../../messages/templates/mail-model.js';
import { renderMail } from '../../messages/templates/render-mail.js';
import { rememberedTranslations } from '../../messages/templates/remembered-translations.js';
import { classifySendError, MailSendError } from '../../providers/mail/mail-errors.js';
import type { MailTransport, OutgoingMail } from '../../providers/mail/mail-transport.js';
import type { JobPayload } from '../../queue/job-registry.js';
import type { EventStore, StoredEvent } from '../../store/event-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { ParticipantStore } from '../../store/participant-store.js';
import { isFinalAttempt } from './attempts.js';
import { hoursFromMinutes, type CertificateRecord } from '../../domain/certificate.js';
import type { ConfirmationRecipient, FindConfirmationRecipient } from './confirmation-mail.js';

export interface MailSendDeps {
  messages: MessageStore;
  events: Pick<EventStore, 'get'>;
  participants: Pick<ParticipantStore, 'lookup'>;
  /** Undefined without SMTP_URL: every message is recorded as skipped. */
  transport: MailTransport | undefined;
  translations: Translations;
  signingKey: SigningKey;
  publicBaseUrl: string;
  clock: Clock;
  outcomes: Counter<'kind' | 'status'>;
  logger: Logger;
  /** Self-registration mails go to people who are not participants yet; without it they are skipped. */
  confirmationRecipient?: FindConfirmationRecipient;
  /** The certificate a `certificate` message announces; without it those messages are skipped. */
  certificates?: { get(eventId: string, participantId: string): Promise<CertificateRecord | undefined> };
}

/**
 * Sends one message, rendered from the programme and participant as they are now (a delayed notice says the
 * latest). Participants are named by id in the log, never by name or address.
 */
/**
 * A send renders from the programme; parsing and scheduling it is a few milliseconds, the same for every mail of
 * an event. Kept briefly per process: a change reaches mails within seconds (change notices wait minutes anyway).
 */
const EVENT_CACHE_MS = 2_000;

/** Every address in a text replaced by a placeholder. */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '<address>');
}

export function mailSend(deps: MailSendDeps) {
  // Every mail of an event repeats most of its sentences and all of its calendar but the links: both are kept.
  const translations = rememberedTranslations(deps.translations);
  const calendars = createCalendarTemplates();
  type LoadedEvent = { at: number; stored: StoredEvent; schedule: Schedule };
  const cached = new Map<string, LoadedEvent>();
  // One read per event at a time: when the entry runs out, every job in flight would read and schedule it again.
  const loading = new Map<string, Promise<LoadedEvent | undefined>>();
  const loadEvent = async (eventId: string) => {
    const now = deps.clock.now().getTime();
    const hit = cached.get(eventId);
    if (hit && now - hit.at < EVENT_CACHE_MS && now >= hit.at) return hit;
    let pending = loading.get(eventId);
    if (!pending) {
      pending = (async () => {
        const stored = await deps.events.get(eventId);
        if (!stored) return undefined;
        const entry = { at: now, stored, schedule: scheduleProgramme(stored.programme) };
        cached.set(eventId, entry);
        return entry;
      })().finally(() => loading.delete(eventId));
      loading.set(eventId, pending);
    }
    return pending;
  };
  const skip = async (record: MessageRecord, reason: string) => {
    if (await deps.messages.markSkipped(record.eventId, record.id, reason)) deps.outcomes.inc({ kind: messageKind(record), status: 'skipped' });
    return { skipped: reason };
  };

  return async (payload: JobPayload<'mail.send'>, job: Job): Promise<unknown> => {
    const { eventId, messageId } = payload;
    const record = await deps.messages.get(eventId, messageId);
    if (!record || record.status !== 'queued') return { skipped: record ? `already ${record.status}` : 'no such message' };
    const recipient = record.details.kind === 'confirmation' && deps.confirmationRecipient ? await deps.confirmationRecipient(record) : undefined;
    if (typeof recipient === 'string') return skip(record, recipient);
    const participant = recipient?.participant ?? (await deps.participants.lookup(eventId, record.participantId));
    if (!participant || participant === 'revoked') return skip(record, 'the participant was removed');
    const loaded = await loadEvent(eventId);
    if (!loaded) return skip(record, 'the event no longer exists');
    if (record.details.kind === 'reminder' && (await deps.messages.remindersOff(eventId, record.participantId))) return skip(record, 'the participant turned reminders off');
    const certificate = record.details.kind === 'certificate' ? await deps.certificates?.get(eventId, record.participantId) : undefined;
    const mail = compose(record, participant, loaded.stored, loaded.schedule, recipient, certificate);
    if (typeof mail === 'string') return skip(record, mail);
    if (!deps.transport) return skip(record, 'mail is not configured (SMTP_URL)');

    const attempt = await deps.messages.beginAttempt(eventId, messageId);
    if (!attempt) return { skipped: 'no longer queued' };
    try {
      const sent = await deps.transport.send(mail);
      await deps.messages.markSent(eventId, messageId, deps.clock.now());
      deps.outcomes.inc({ kind: messageKind(record), status: 'sent' });
      deps.logger.info({ eventId, messageId, participantId: record.participantId, kind: messageKind(record) }, 'mail sent');
      return { messageId: sent.messageId };
    } catch (error) {
      const failure = classifySendError(error);
      // The organizer sees the server's whole reply; logs name participants by id, and replies often
      // repeat the address ("550 <ana@example.org>: Recipient address rejected").
      const loggable = withoutAddresses(failure.message);
      if (failure.retryable && !isFinalAttempt(job)) {
        await deps.messages.noteRetry(eventId, messageId, failure.message);
        throw new MailSendError(loggable, true, failure.details);
      }
      await deps.messages.markFailed(eventId, messageId, failure.message);
      deps.outcomes.inc({ kind: messageKind(record), status: 'failed' });
      deps.logger.warn({ eventId, messageId, participantId: record.participantId, kind: messageKind(record), err: { message: loggable } }, 'mail failed');
      throw new UnrecoverableError(loggable);
    }
  };

  /** The mail to send, or why it should not go any more. */
  function compose(
    record: MessageRecord,
    participant: Participant,
    stored: StoredEvent,
    schedule: Schedule,
    recipient?: ConfirmationRecipient,
    certificate?: CertificateRecord,
  ): OutgoingMail | string {
    const { programme, version } = stored;
    const sessions = participantSessions(schedule, participant);
    const links = participantLinks(deps.publicBaseUrl, signLink({ eventId: programme.id, participantId: participant.id }, deps.signingKey), sessions.map((s) => s.id));
    const language = pickLanguage(participant.language, programme.language);
    const base = {
      language,
      event: { title: programme.title, timezone: programme.timezone, joinOpensMinutesBefore: programme.joinOpensMinutesBefore },
      participant: { name: participant.name, role: participant.role },
      links: { page: links.page },
    };
    const calendar = () =>
      calendarPart(
        { language, event: { id: programme.id, title: programme.title, timezone: programme.timezone }, participantId: participant.id, version, links, sessions },
        translations.translator(language),
        calendars.render,
      );
    const { details } = record;
    let model: MailModel;
    switch (details.kind) {
      case 'invitation':
        model = { ...base, kind: 'invitation', days: mailDays(schedule, sessions) };
        break;
      case 'reminder': {
        const onDate = sessions.filter((s) => s.date === details.date);
        if (onDate.length === 0) return 'no sessions on that date any more';
        if (Math.min(...onDate.map((s) => Date.parse(s.startsAt))) <= deps.clock.now().getTime()) return 'the day has already begun';
        model = { ...base, kind: 'reminder', date: details.date, minutesBefore: details.minutesBefore, days: mailDays(schedule, onDate) };
        break;
      }
      case 'update':
        if (details.changes.length === 0) return 'nothing changed after all';
        model = { ...base, kind: 'update', changes: details.changes };
        break;
      case 'confirmation':
        if (!recipient) return 'no sender for confirmation messages';
        model = recipient.model(language, programme.title);
        break;
      case 'certificate':
        if (!certificate) return 'the participant has no certificate (any more)';
        model = { ...base, kind: 'certificate', hoursAttended: hoursFromMinutes(certificate.minutes), links: { page: links.page, certificate: `${links.page}/certificate.pdf` } };
        break;
      default:
        return `no sender for ${messageKind(record)} messages`;
    }
    const rendered = renderMail(model, translations);
    return {
      to: { name: participant.name, address: participant.email },
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: record.messageIdHeader,
      language: rendered.language,
      ...(details.kind === 'reminder' ? { unsubscribeUrl: unsubscribeUrl(links.page) } : {}),
      ...(details.kind === 'invitation' || details.kind === 'update' ? { calendar: calendar() } : {}),
    };
  }
}
