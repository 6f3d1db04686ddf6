import type { Clock } from '../clock.js';
import { certificateMessageId, confirmationMessageId, invitationMessageId, messageKind, newMessage, type MessageKind, type MessageRecord } from '../domain/messages.js';
import { jobId } from '../queue/job-registry.js';
import type { Queues } from '../queue/queues.js';
import type { StoredEvent } from '../store/event-store.js';
import type { MessageFilter, MessageStore } from '../store/message-store.js';

export interface MessageService {
  /**
   * New participants: a job plans their reminders (everyone gets them) and, with `invite`, their first
   * invitation (once per participant, ever). A job, so that registering 10,000 people stays one quick request.
   */
  participantsAdded(eventId: string, version: number, participantIds: readonly string[], options: { invite: boolean }): Promise<void>;
  /**
   * First invitations, planned and queued (by the planning job, and by the reconcile for those still owed).
   * Idempotent: the first invitation's id follows from the participant, so planning it again creates nothing.
   */
  invite(eventId: string, participantIds: readonly string[]): Promise<void>;
  /** A new invitation message for someone who lost theirs. */
  resendInvitation(eventId: string, participantId: string): Promise<MessageRecord>;
  /**
   * A self-registration mail to someone who is not a participant (yet): the confirmation link of a pending
   * registration, or the notice that they are on the waitlist. `n` numbers repeats to the same recipient.
   */
  sendConfirmation(eventId: string, recipientId: string, options: { n: number; step: 'confirm' | 'waitlisted' }): Promise<MessageRecord>;
  /** "Your certificate is ready", once per participant however often certificates are issued. */
  certificatesIssued(eventId: string, participantIds: readonly string[]): Promise<void>;
  /** Withdraws a removed participant's pending messages and their jobs. */
  participantRemoved(eventId: string, participantId: string): Promise<void>;
  /** Reminders re-timed or dropped and change notices planned, by a job (one per programme version). */
  programmeChanged(event: StoredEvent): Promise<void>;
  list(eventId: string, filter?: MessageFilter): Promise<MessageRecord[]>;
  setReminders(eventId: string, participantId: string, on: boolean): Promise<void>;
  /** What the personal page's switch shows. */
  remindersOn(eventId: string, participantId: string): Promise<boolean>;
}

export interface MessageServiceDeps {
  store: MessageStore;
  queues: Queues;
  clock: Clock;
  /** The right side of every Message-ID: MAIL_FROM's domain. */
  senderDomain: string;
  /** Counts each message planned (for mail_messages_total). */
  planned?: (kind: MessageKind) => void;
}

/** Planned in chunks: 10,000 new participants are 10,000 records and jobs, written concurrently per chunk. */
const CHUNK = 500;

/** The mail job's id is the message's own, so a message is sent by at most one job however often it is planned. */
export const sendJobId = (eventId: string, messageId: string) => jobId('mail.send', eventId, messageId);

export function createMessageService(deps: MessageServiceDeps): MessageService {
  const { store, queues, clock } = deps;

  async function planAndSend(eventId: string, messages: ReadonlyArray<{ participantId: string; id: string; n: number }>): Promise<MessageRecord[]> {
    const now = clock.now();
    const records: MessageRecord[] = [];
    for (let i = 0; i < messages.length; i += CHUNK) {
      const chunk = messages.slice(i, i + CHUNK);
      const planned = await Promise.all(
        chunk.map((m) => store.plan(newMessage(eventId, m.participantId, m.id, { kind: 'invitation', n: m.n }, deps.senderDomain), now)),
      );
      const fresh = planned.filter((p) => p.created).map((p) => p.record);
      for (const r of fresh) deps.planned?.(messageKind(r));
      // One planned before but never attempted may have lost its job in a failover (the record was replicated,
      // the job not); queued again under its own id, which is a no-op while that job still exists.
      const unsent = planned.filter((p) => p.created || (p.record.status === 'queued' && p.record.attempts === 0)).map((p) => p.record);
      await queues.enqueueMany(unsent.map((r) => ({ name: 'mail.send', payload: { eventId, messageId: r.id }, options: { jobId: sendJobId(eventId, r.id) } })));
      records.push(...planned.map((p) => p.record));
    }
    return records;
  }

  return {
    async invite(eventId, participantIds) {
      await planAndSend(
        eventId,
        participantIds.map((participantId) => ({ participantId, id: invitationMessageId(participantId, 1), n: 1 })),
      );
    },
    async participantsAdded(eventId, version, participantIds, { invite }) {
      const now = clock.now().getTime();
      const jobs = [];
      for (let i = 0; i < participantIds.length; i += 1000) {
        const ids = participantIds.slice(i, i + 1000);
        jobs.push({ name: 'messages.plan' as const, payload: { eventId, version, participantIds: ids, invite }, options: { jobId: jobId('messages.plan', eventId, 'added', ids[0] ?? '', now) } });
      }
      await queues.enqueueMany(jobs);
    },
    async resendInvitation(eventId, participantId) {
      const n = await store.nextInvitationNumber(eventId, participantId);
      const [record] = await planAndSend(eventId, [{ participantId, id: invitationMessageId(participantId, n), n }]);
      if (!record) throw new Error('the invitation was not planned');
      return record;
    },
    async sendConfirmation(eventId, recipientId, { n, step }) {
      const details = { kind: 'confirmation' as const, step };
      const { created, record } = await store.plan(newMessage(eventId, recipientId, confirmationMessageId(recipientId, n), details, deps.senderDomain), clock.now());
      if (created) {
        deps.planned?.('confirmation');
        await queues.enqueue('mail.send', { eventId, messageId: record.id }, { jobId: sendJobId(eventId, record.id) });
      }
      return record;
    },
    async certificatesIssued(eventId, participantIds) {
      const now = clock.now();
      for (let i = 0; i < participantIds.length; i += CHUNK) {
        const planned = await Promise.all(
          participantIds
            .slice(i, i + CHUNK)
            .map((participantId) => store.plan(newMessage(eventId, participantId, certificateMessageId(participantId), { kind: 'certificate' }, deps.senderDomain), now)),
        );
        const fresh = planned.filter((p) => p.created).map((p) => p.record);
        for (const r of fresh) deps.planned?.(messageKind(r));
        await queues.enqueueMany(fresh.map((r) => ({ name: 'mail.send', payload: { eventId, messageId: r.id }, options: { jobId: sendJobId(eventId, r.id) } })));
      }
    },
    async participantRemoved(eventId, participantId) {
      const ids = await store.cancelPending(eventId, participantId, 'the participant was removed', clock.now());
      // The send job would find the message withdrawn anyway; removing it keeps the queue honest.
      await Promise.all(ids.map(async (id) => (await queues.get('mail').getJob(sendJobId(eventId, id)))?.remove().catch(() => undefined)));
    },
    async programmeChanged(event) {
      const { programme, version } = event;
      await queues.enqueue('messages.plan', { eventId: programme.id, version }, { jobId: jobId('messages.plan', programme.id, version) });
    },
    list: (eventId, filter) => store.list(eventId, filter),
    setReminders: (eventId, participantId, on) => store.setRemindersOff(eventId, participantId, !on),
    remindersOn: async (eventId, participantId) => !(await store.remindersOff(eventId, participantId)),
  };
}
