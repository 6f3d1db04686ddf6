import type { Participant } from '../domain/participant.js';
import type { ParticipantStore } from '../store/participant-store.js';
import type { MessageService } from './message-service.js';

export interface OwedInvitationsDeps {
  participants: Pick<ParticipantStore, 'owedInvitations' | 'invitationsPlanned' | 'get'>;
  messages: Pick<MessageService, 'invite'>;
}

/** Settled in chunks, like the planning job's: a 10,000-person import whose jobs were all lost is 10 rounds. */
const CHUNK = 1000;

/**
 * The reconcile's share of invitations. A new participant's invitation is planned by a job enqueued after the
 * answer, and a failover can lose that job; the debt recorded with the participant cannot be lost without the
 * participant. Whoever is still owed one gets it planned here: a job that did run (or runs later) planned the
 * same first invitation, so nobody gets two. Participants removed meanwhile are owed nothing.
 * Returns how many debts were settled.
 */
export async function settleOwedInvitations(deps: OwedInvitationsDeps, eventId: string): Promise<number> {
  const owed = await deps.participants.owedInvitations(eventId);
  for (let i = 0; i < owed.length; i += CHUNK) {
    const chunk = owed.slice(i, i + CHUNK);
    const live = (await Promise.all(chunk.map((id) => deps.participants.get(eventId, id)))).filter((p): p is Participant => p !== undefined);
    if (live.length > 0) await deps.messages.invite(eventId, live.map((p) => p.id));
    await deps.participants.invitationsPlanned(eventId, chunk);
  }
  return owed.length;
}
