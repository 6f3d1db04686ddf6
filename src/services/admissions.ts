import type { ConfirmedRegistrant } from '../domain/registration.js';
import type { Logger } from '../logger.js';
import type { EventStore } from '../store/event-store.js';
import type { RegistrationStore } from '../store/registration-store.js';
import type { MessageService } from './message-service.js';
import type { ParticipantService, Waitlist } from './participant-service.js';

export type Admission = { kind: 'registered'; participantId: string } | { kind: 'waitlisted'; participantId: string; position: number };

export interface Admissions extends Waitlist {
  /** A confirmed address takes a place, or the end of the waitlist; the participant is created when it has a place. */
  admit(entry: ConfirmedRegistrant, capacity: number | undefined): Promise<Admission>;
  /** A place may have freed up (someone removed, capacity raised): the first waitlisted people are admitted. */
  placesFreed(eventId: string): Promise<void>;
}

export interface AdmissionsDeps {
  events: Pick<EventStore, 'get'>;
  registrations: RegistrationStore;
  /** Creates participants exactly as the organizer API does: idempotent on the email, invitation, Zoom registration. */
  add: ParticipantService['add'];
  messages: Pick<MessageService, 'sendConfirmation' | 'participantRemoved'>;
  logger: Logger;
}

/**
 * Capacity and waitlist. Who gets a place is decided by one Lua step in Redis (registration-store.ts), so API
 * processes racing for the last places never over-fill; creating the participant follows, and an admission an
 * interrupted process left half-done is finished by the next call that looks (every confirm and every free).
 */
export function createAdmissions(deps: AdmissionsDeps): Admissions {
  const { registrations } = deps;

  async function finish(eventId: string, entry: ConfirmedRegistrant): Promise<string> {
    const issued = await deps.add(eventId, [{ name: entry.name, email: entry.email, role: 'participant', language: entry.language }], { notify: true, ids: [entry.participantId] });
    await registrations.admitted(eventId, entry);
    const id = issued?.[0]?.id ?? entry.participantId;
    deps.logger.info({ eventId, participantId: id }, 'self-registered participant admitted');
    return id;
  }

  async function promote(eventId: string, capacity: number | undefined): Promise<void> {
    for (const entry of await registrations.promote(eventId, capacity)) await finish(eventId, entry);
  }

  return {
    async admit(entry, capacity) {
      // Places freed while nobody looked (capacity raised) go to those already waiting before this newcomer.
      await promote(entry.eventId, capacity);
      const result = await registrations.admit(entry, capacity);
      switch (result.kind) {
        case 'known':
          return { kind: 'registered', participantId: result.participantId };
        case 'admitting':
          return { kind: 'registered', participantId: await finish(entry.eventId, result.entry) };
        case 'waitlisted':
          if (result.fresh) {
            const n = await registrations.nextNoticeNumber(entry.eventId, result.entry.participantId);
            await deps.messages.sendConfirmation(entry.eventId, result.entry.participantId, { n, step: 'waitlisted' });
          }
          return { kind: 'waitlisted', participantId: result.entry.participantId, position: result.position };
      }
    },
    async placesFreed(eventId) {
      const stored = await deps.events.get(eventId);
      // Without the registration field there is no capacity to fill up to: the waitlist waits.
      const settings = stored?.programme.registration;
      if (settings) await promote(eventId, settings.capacity);
    },
    list: (eventId) => registrations.waitlist(eventId),
    async withdraw(eventId, participantId) {
      const entry = await registrations.withdraw(eventId, participantId);
      if (!entry) return false;
      await deps.messages.participantRemoved(eventId, participantId);
      return true;
    },
  };
}
