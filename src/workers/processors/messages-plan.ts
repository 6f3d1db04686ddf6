import type { Redis } from 'ioredis';
import type { Clock } from '../../clock.js';
import {
  mergeChanges,
  newMessage,
  participantSessions,
  reminderMessageId,
  reminderMoments,
  sessionChanges,
  updateMessageId,
  type MessageRecord,
} from '../../domain/messages.js';
import type { Participant } from '../../domain/participant.js';
import { scheduleProgramme, type ScheduledSession } from '../../domain/schedule.js';
import type { JobPayload } from '../../queue/job-registry.js';
import type { Queues } from '../../queue/queues.js';
import { requeueLostSendJobs } from '../../services/lost-send-jobs.js';
import { sendJobId } from '../../services/message-service.js';
import type { EventStore } from '../../store/event-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { ParticipantStore } from '../../store/participant-store.js';
import type { PlannedSessionsStore } from '../../store/planned-sessions-store.js';

export interface MessagesPlanDeps {
  /** Plans and queues first invitations (the message service's own rule). */
  invite(eventId: string, participantIds: readonly string[]): Promise<void>;
  events: Pick<EventStore, 'get'>;
  participants: Pick<ParticipantStore, 'list' | 'get' | 'invitationsPlanned'>;
  messages: MessageStore;
  planned: PlannedSessionsStore;
  queues: Queues;
  /** The queues' Redis: whether each queued message still has its send job is asked there in bulk. */
  redis: Redis;
  clock: Clock;
  senderDomain: string;
  /** MAIL_UPDATE_DELAY_SECONDS: changes within this window reach each participant as one notice. */
  updateDelayMs: number;
  /** Counts each message planned (for mail_messages_total). */
  onPlanned?: (kind: 'reminder' | 'update') => void;
}

/** What a run did; the re-planning pass logs the send jobs it had to queue again. */
export type MessagesPlanResult = { skipped: string } | { participants: number; reminders: number; notices: number; requeued: number };

/**
 * Brings each participant's reminders and change notices in line with the programme: reminders planned,
 * re-timed or withdrawn, and the sessions that moved, appeared or went since the participants last heard
 * folded into one pending notice per participant; then every queued message of theirs whose send job is gone
 * gets it back. Idempotent: ids follow from the cause.
 */
export function messagesPlan(deps: MessagesPlanDeps) {
  return async (payload: JobPayload<'messages.plan'>): Promise<MessagesPlanResult> => {
    const { eventId } = payload;
    const stored = await deps.events.get(eventId);
    if (!stored) return { skipped: 'no such event' };
    // A newer version has its own job, which plans from the newest programme (unless this one only adds people).
    if (!payload.participantIds && payload.version < stored.version) return { skipped: 'superseded' };
    const now = deps.clock.now();
    const schedule = scheduleProgramme(stored.programme);
    const previous = payload.participantIds ? undefined : await deps.planned.get(eventId);
    const previousSessions: ScheduledSession[] | undefined = previous?.sessions.map((s) => ({ ...s, description: s.description }));
    const only = payload.participantIds ? new Set(payload.participantIds) : undefined;
    // New participants are read (and their messages listed) one by one: a self-registration must not read the whole event.
    const people = only
      ? (await Promise.all([...only].map((id) => deps.participants.get(eventId, id)))).filter((p): p is Participant => p !== undefined)
      : await deps.participants.list(eventId);
    if (payload.invite && people.length > 0) {
      const invited = people.map((p) => p.id);
      await deps.invite(eventId, invited);
      // Only after the invitations (and their jobs) are stored: the replication stream is ordered, so a replica
      // that has the debt settled has what settled it too.
      await deps.participants.invitationsPlanned(eventId, invited);
    }
    const queued = only
      ? (await Promise.all(people.map((p) => deps.messages.list(eventId, { participantId: p.id, status: 'queued' })))).flat()
      : await deps.messages.list(eventId, { status: 'queued' });
    const queuedReminders = groupByParticipant(queued.filter((m) => m.details.kind === 'reminder'));
    const pendingUpdates = groupByParticipant(queued.filter((m) => m.details.kind === 'update' && m.attempts === 0));

    // Asked once for everyone: the reconcile runs this for whole events, and one question per person adds up.
    const remindersOff = await deps.messages.remindersOffAmong(eventId, people.map((p) => p.id));

    let reminders = 0;
    let notices = 0;
    for (const person of people) {
      const sessions = participantSessions(schedule, person);
      reminders += await planPersonReminders(person, sessions, queuedReminders.get(person.id) ?? [], remindersOff.has(person.id), stored.programme.reminders.minutesBefore, now);
      // Measured against the sessions as last planned: that is what everyone registered since then was shown
      // too (their page, feed and any invitation already sent); one sent later just repeats the news.
      if (previous && previousSessions) {
        const changes = sessionChanges(participantSessions({ sessions: previousSessions }, person), sessions, now);
        if (changes.length > 0 && (await noticeOf(person, changes, previous.version, pendingUpdates.get(person.id)?.[0], now))) notices += 1;
      }
    }
    if (!payload.participantIds) await deps.planned.put(eventId, { version: stored.version, plannedAt: now.toISOString(), sessions: schedule.sessions });
    // Last, so what this run re-timed or withdrew is settled; what it planned anew has its job already.
    const requeued = await requeueLostSendJobs(deps, eventId, queued);
    return { participants: people.length, reminders, notices, requeued };
  };

  async function planPersonReminders(person: Participant, sessions: ScheduledSession[], queued: MessageRecord[], off: boolean, offsets: readonly number[], now: Date): Promise<number> {
    const eventId = person.eventId;
    const keep = new Set<string>();
    let wanted = 0;
    for (const reminder of off ? [] : reminderMoments(sessions, offsets)) {
      const id = reminderMessageId(person.id, reminder.date, reminder.minutesBefore);
      const sendAt = reminder.sendAt;
      const existing = queued.find((m) => m.id === id);
      const unchanged = existing?.plannedFor !== undefined && Date.parse(existing.plannedFor) === sendAt.getTime();
      if (sendAt.getTime() <= now.getTime()) {
        // Due, not sent yet, and still the programme's: a send backlog, or a job a failover lost (queued again at
        // the end of the run). Its job sends it, or mail-send skips it once the day has begun; only a moment that
        // moved into the past withdraws it (a reminder planned that late would arrive after what it announces).
        if (unchanged) keep.add(id);
        continue;
      }
      keep.add(id);
      wanted += 1;
      if (unchanged) continue;
      const details = { kind: 'reminder' as const, date: reminder.date, minutesBefore: reminder.minutesBefore };
      const { created } = await deps.messages.plan(newMessage(eventId, person.id, id, details, deps.senderDomain, sendAt), now);
      // Re-timed, or withdrawn earlier and wanted again: the record follows, and the job is replaced.
      if (created) deps.onPlanned?.('reminder');
      else if (!(await deps.messages.replan(eventId, id, sendAt))) continue;
      await schedule(eventId, id, sendAt, now);
    }
    for (const stale of queued.filter((m) => !keep.has(m.id))) {
      await deps.messages.cancel(eventId, stale.id, off ? 'the participant turned reminders off' : 'the programme no longer has this reminder', now);
      await (await deps.queues.get('mail').getJob(sendJobId(eventId, stale.id)))?.remove().catch(() => undefined);
    }
    return wanted;
  }

  /** Folds the changes into the participant's pending notice, or plans a new one after the coalescing window. */
  async function noticeOf(person: Participant, changes: ReturnType<typeof sessionChanges>, baseVersion: number, pending: MessageRecord | undefined, now: Date): Promise<boolean> {
    const eventId = person.eventId;
    if (pending) {
      const revised = await deps.messages.reviseUnsent(eventId, pending.id, (record) =>
        record.details.kind === 'update' ? { ...record.details, changes: mergeChanges(record.details.changes, changes) } : record.details,
      );
      if (revised) return true;
    }
    const id = updateMessageId(person.id, baseVersion);
    const sendAt = new Date(now.getTime() + deps.updateDelayMs);
    const { created } = await deps.messages.plan(newMessage(eventId, person.id, id, { kind: 'update', baseVersion, changes }, deps.senderDomain, sendAt), now);
    if (created) {
      deps.onPlanned?.('update');
      await schedule(eventId, id, sendAt, now);
    }
    return created;
  }

  async function schedule(eventId: string, messageId: string, at: Date, now: Date): Promise<void> {
    const queue = deps.queues.get('mail');
    const jobId = sendJobId(eventId, messageId);
    // A job under this id that already ran (the message was withdrawn) or waits for another time gives way.
    await (await queue.getJob(jobId))?.remove().catch(() => undefined);
    await deps.queues.enqueue('mail.send', { eventId, messageId }, { jobId, delay: Math.max(0, at.getTime() - now.getTime()) });
  }
}

function groupByParticipant(records: readonly MessageRecord[]): Map<string, MessageRecord[]> {
  const out = new Map<string, MessageRecord[]>();
  for (const r of records) out.set(r.participantId, [...(out.get(r.participantId) ?? []), r]);
  return out;
}
