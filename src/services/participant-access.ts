import type { Clock } from '../clock.js';
import { verifyLink, type SigningKey } from '../domain/link-token.js';
import type { Participant } from '../domain/participant.js';
import { scheduleProgramme, type Schedule, type ScheduledSession } from '../domain/schedule.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import type { ParticipantStore } from '../store/participant-store.js';

export interface LoadedEvent {
  stored: StoredEvent;
  schedule: Schedule;
  sessionById: Map<string, ScheduledSession>;
}

export type Denied = { ok: false; status: 403 | 404 | 410; title: string; message: string };
export type Access = { ok: true; token: string; participant: Participant; event: LoadedEvent } | Denied;

export interface ParticipantAccess {
  resolve(token: string): Promise<Access>;
}

export interface ParticipantAccessDeps {
  events: Pick<EventStore, 'get'>;
  participants: Pick<ParticipantStore, 'lookup'>;
  signingKeys: readonly SigningKey[];
  clock: Clock;
}

/**
 * Programmes change rarely and are read on every participant request, so a parsed schedule is kept for
 * a couple of seconds per process. Participants and revocations are always read fresh.
 */
const EVENT_CACHE_MS = 2_000;

export function createParticipantAccess(deps: ParticipantAccessDeps): ParticipantAccess {
  const cache = new Map<string, { at: number; event: LoadedEvent | undefined }>();

  async function loadEvent(eventId: string): Promise<LoadedEvent | undefined> {
    const now = deps.clock.now().getTime();
    const hit = cache.get(eventId);
    if (hit && now - hit.at < EVENT_CACHE_MS) return hit.event;
    const stored = await deps.events.get(eventId);
    const schedule = stored && scheduleProgramme(stored.programme);
    const event = stored && schedule ? { stored, schedule, sessionById: new Map(schedule.sessions.map((s) => [s.id, s])) } : undefined;
    cache.set(eventId, { at: now, event });
    return event;
  }

  return {
    async resolve(token) {
      const verified = verifyLink(token, deps.signingKeys);
      if (!verified.ok) {
        return verified.reason === 'unknown-key'
          ? { ok: false, status: 410, title: 'This link has expired', message: 'The key that signed this link has been retired. Please ask the organizers for your current link.' }
          : { ok: false, status: 403, title: 'This link is not valid', message: 'The link is incomplete or has been changed. Please open the exact link you received by email.' };
      }
      const { eventId, participantId } = verified.subject;
      const [participant, event] = await Promise.all([deps.participants.lookup(eventId, participantId), loadEvent(eventId)]);
      if (participant === 'revoked') {
        return { ok: false, status: 410, title: 'This link has been withdrawn', message: 'The organizers have withdrawn this registration. Please contact them if you think this is a mistake.' };
      }
      if (!participant || !event) {
        return { ok: false, status: 404, title: 'This link is not known', message: 'We could not find a registration for this link. Please contact the organizers.' };
      }
      return { ok: true, token, participant, event };
    },
  };
}
