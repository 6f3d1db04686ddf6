import type { Clock } from '../../clock.js';
import { signConfirmToken } from '../../domain/confirm-token.js';
import type { SigningKey } from '../../domain/link-token.js';
import type { MessageRecord } from '../../domain/messages.js';
import type { Participant } from '../../domain/participant.js';
import type { Registrant } from '../../domain/registration.js';
import type { Language } from '../../i18n/languages.js';
import type { ConfirmationMail, WaitlistMail } from '../../messages/templates/mail-model.js';
import type { RegistrationStore } from '../../store/registration-store.js';

/** Who a self-registration mail goes to (nobody is a participant yet) and what it says. */
export interface ConfirmationRecipient {
  /** A stand-in with the registrant's name, address and language, so the mail is addressed as any other. */
  participant: Participant;
  model(language: Language, eventTitle: string): ConfirmationMail | WaitlistMail;
}

export interface ConfirmationRecipientsDeps {
  registrations: Pick<RegistrationStore, 'pending' | 'waiting'>;
  signingKey: SigningKey;
  publicBaseUrl: string;
  clock: Clock;
}

export type FindConfirmationRecipient = (record: MessageRecord) => Promise<ConfirmationRecipient | string>;

const standIn = (id: string, r: Registrant): Participant => ({ id, eventId: r.eventId, name: r.name, email: r.email, role: 'participant', language: r.language, createdAt: r.registeredAt });

/** The recipient, or why the mail should not go any more (the link expired, they left the waitlist). */
export function confirmationRecipients(deps: ConfirmationRecipientsDeps): FindConfirmationRecipient {
  return async (record) => {
    const { eventId, participantId: recipientId, details } = record;
    if (details.kind !== 'confirmation') return `not a confirmation: ${details.kind}`;
    if (details.step === 'waitlisted') {
      const waiting = await deps.registrations.waiting(eventId, recipientId);
      if (!waiting) return 'no longer on the waitlist';
      return {
        participant: standIn(recipientId, waiting.entry),
        model: (language, title) => ({ kind: 'confirmation', step: 'waitlisted', language, event: { title }, participant: { name: waiting.entry.name }, position: waiting.position }),
      };
    }
    const pending = await deps.registrations.pending(eventId, recipientId);
    if (!pending) return 'the registration is no longer pending';
    const expiresAt = new Date(pending.expiresAt);
    // A link that would arrive dead is not sent (a mail retried for two days); they can register again.
    if (expiresAt.getTime() <= deps.clock.now().getTime()) return 'the confirmation link has expired';
    const confirm = `${deps.publicBaseUrl}/e/${eventId}/confirm/${signConfirmToken({ eventId, registrationId: pending.id, expiresAt }, deps.signingKey)}`;
    return {
      participant: standIn(recipientId, pending),
      model: (language, title) => ({ kind: 'confirmation', language, event: { title }, participant: { name: pending.name }, links: { confirm } }),
    };
  };
}
