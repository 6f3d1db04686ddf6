import type { Clock } from '../clock.js';
import { participantLinks } from '../domain/links.js';
import { signLink, type SigningKey } from '../domain/link-token.js';
import type { IssuedParticipant, ParticipantInput } from '../domain/participant.js';
import { scheduleProgramme } from '../domain/schedule.js';
import type { EventStore } from '../store/event-store.js';
import type { ParticipantStore } from '../store/participant-store.js';
import type { ConfirmedRegistrant } from '../domain/registration.js';
import { pageOfParticipants, type ParticipantListing, type ParticipantListQuery } from './participant-listing.js';

export interface ParticipantService {
  /** undefined when the event does not exist. */
  add(eventId: string, inputs: readonly ParticipantInput[], options?: AddOptions): Promise<IssuedParticipant[] | undefined>;
  /** Also takes a waitlisted person off the waitlist. */
  revoke(eventId: string, participantId: string): Promise<boolean>;
  /** Registered and waitlisted people, a page at a time. */
  list(eventId: string, query: ParticipantListQuery): Promise<ParticipantListing>;
}

export interface AddOptions {
  notify?: boolean;
  /** Ids for new addresses, by input index (self-registration: the id a waitlisted person was listed under). */
  ids?: readonly (string | undefined)[];
}

/** Self-registration's waitlist, as far as the organizer's participant calls see it. */
export interface Waitlist {
  list(eventId: string): Promise<ConfirmedRegistrant[]>;
  withdraw(eventId: string, participantId: string): Promise<boolean>;
}

export interface ParticipantServiceDeps {
  events: Pick<EventStore, 'get'>;
  participants: ParticipantStore;
  clock: Clock;
  signingKey: SigningKey;
  publicBaseUrl: string;
  /** After participants are stored, e.g. to register them with Zoom. */
  onChanged?: (eventId: string) => Promise<void>;
  /** After new participants are stored: their reminders, and unless the request said `notify: false`, invitations. */
  onAdded?: (eventId: string, version: number, participantIds: readonly string[], options: { notify: boolean }) => Promise<void>;
  /** After a participant is removed: their pending messages are withdrawn. */
  onRemoved?: (eventId: string, participantId: string) => Promise<void>;
  waitlist?: Waitlist;
}

export function createParticipantService(deps: ParticipantServiceDeps): ParticipantService {
  return {
    async add(eventId, inputs, options = {}) {
      const stored = await deps.events.get(eventId);
      if (!stored) return undefined;
      const sessionIds = scheduleProgramme(stored.programme).sessions.map((s) => s.id);
      const notify = options.notify !== false;
      const { participants, created } = await deps.participants.upsertMany(eventId, inputs, deps.clock.now(), { ...(options.ids ? { ids: options.ids } : {}), invite: notify });
      if (deps.onChanged) await deps.onChanged(eventId);
      if (deps.onAdded && created.size > 0) await deps.onAdded(eventId, stored.version, [...created], { notify });
      return participants.map((p) => ({
        id: p.id,
        email: p.email,
        name: p.name,
        role: p.role,
        links: participantLinks(deps.publicBaseUrl, signLink({ eventId, participantId: p.id }, deps.signingKey), sessionIds),
      }));
    },
    async revoke(eventId, participantId) {
      const done = await deps.participants.revoke(eventId, participantId);
      if (!done && deps.waitlist) return deps.waitlist.withdraw(eventId, participantId);
      if (done && deps.onRemoved) await deps.onRemoved(eventId, participantId);
      if (done && deps.onChanged) await deps.onChanged(eventId);
      return done;
    },
    async list(eventId, query) {
      if (!(await deps.events.get(eventId))) return { kind: 'unknown-event' };
      const [registered, waiting] = await Promise.all([deps.participants.list(eventId), deps.waitlist?.list(eventId) ?? []]);
      return pageOfParticipants(
        [
          ...registered.map((p) => ({ id: p.id, email: p.email, name: p.name, role: p.role, status: 'registered' as const })),
          ...waiting.map((w) => ({ id: w.participantId, email: w.email, name: w.name, role: 'participant' as const, status: 'waitlisted' as const })),
        ],
        query,
      );
    },
  };
}
