import { z } from 'zod';
import type { Schedule, ScheduledSession } from './schedule.js';

export const messageKindSchema = z.enum(['confirmation', 'invitation', 'reminder', 'update', 'certificate']);
export type MessageKind = z.infer<typeof messageKindSchema>;

export const messageStatusSchema = z.enum(['queued', 'sent', 'failed', 'skipped']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/** Where and when a session was (or is), as the participant was told: enough to write "was … now …". */
export const sessionSnapshotSchema = z.object({
  title: z.string(),
  date: z.string().describe('YYYY-MM-DD in the event zone'),
  kind: z.enum(['academy', 'conference']),
  localStart: z.string().describe('HH:MM in the event zone'),
  localEnd: z.string(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
});
export type SessionSnapshot = z.infer<typeof sessionSnapshotSchema>;

export const sessionChangeSchema = z.discriminatedUnion('change', [
  z.object({ change: z.literal('moved'), sessionId: z.string(), before: sessionSnapshotSchema, after: sessionSnapshotSchema }),
  z.object({ change: z.literal('added'), sessionId: z.string(), after: sessionSnapshotSchema }),
  z.object({ change: z.literal('removed'), sessionId: z.string(), before: sessionSnapshotSchema }),
]);
export type SessionChange = z.infer<typeof sessionChangeSchema>;

const recordBase = z.object({
  id: z.string().min(1),
  eventId: z.string().min(1),
  /** For a confirmation, the pending registration it confirms: there is no participant before it. */
  participantId: z.string().min(1),
  status: messageStatusSchema,
  attempts: z.number().int().min(0),
  /** The last failure (also while retrying), or why the message was skipped. */
  error: z.string().optional(),
  sentAt: z.iso.datetime().optional(),
  /** When it is due; absent means as soon as possible. */
  plannedFor: z.iso.datetime().optional(),
  /** Set when a queued message was withdrawn (participant removed, reminder dropped); it may be planned again. */
  cancelledAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  /** The RFC 5322 Message-ID, fixed when planned so every attempt (also after a crash) sends the same one. */
  messageIdHeader: z.string().min(5),
});

// What each kind needs to be rendered at send time beyond the current programme and participant.
export const messageDetailsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('invitation'), n: z.number().int().min(1) }),
  z.object({ kind: z.literal('reminder'), date: z.string(), minutesBefore: z.number().int().min(1) }),
  z.object({
    kind: z.literal('update'),
    /** The programme version the participant knew before the first change this notice reports. */
    baseVersion: z.number().int().min(0),
    changes: z.array(sessionChangeSchema),
  }),
  // Self-registration: the double opt-in link ('confirm', the default) or, once confirmed beyond capacity, the waitlist notice.
  z.object({ kind: z.literal('confirmation'), step: z.enum(['confirm', 'waitlisted']).optional() }),
  z.object({ kind: z.literal('certificate') }),
]);
export type MessageDetails = z.infer<typeof messageDetailsSchema>;

export const messageRecordSchema = recordBase.extend({ details: messageDetailsSchema });
export type MessageRecord = z.infer<typeof messageRecordSchema>;

/** What a planner hands to the store: the rest (status, attempts) starts the same for every message. */
export type NewMessage = Pick<MessageRecord, 'id' | 'eventId' | 'participantId' | 'details' | 'messageIdHeader' | 'plannedFor'>;

export function messageKind(record: Pick<MessageRecord, 'details'>): MessageKind {
  return record.details.kind;
}

// Ids are made only of our own ids, dates and numbers, none of which contain ':', so the parts are recoverable.
export const invitationMessageId = (participantId: string, n: number) => `inv:${participantId}:${n}`;
export const reminderMessageId = (participantId: string, date: string, minutesBefore: number) => `rem:${participantId}:${date}:${minutesBefore}`;
export const updateMessageId = (participantId: string, baseVersion: number) => `upd:${participantId}:${baseVersion}`;
export const confirmationMessageId = (registrationId: string, n = 1) => `cnf:${registrationId}:${n}`;
export const certificateMessageId = (participantId: string) => `crt:${participantId}`;

const ID_PART = /^[A-Za-z0-9-]+$/;
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * `<inv.p-abc.1.hrgl-2024@example.org>`: ':' is not atext (RFC 5322 §3.2.3), '.' is, and no part contains a '.',
 * so the mapping stays one-to-one. The sender's domain on the right makes it ours; the event id keeps two events
 * of one sender apart. A domain that is not a plain hostname (an IDN written in Unicode, an address literal)
 * falls back to a reserved name rather than producing a header some servers reject.
 */
export function messageIdHeader(messageId: string, eventId: string, senderDomain: string): string {
  const parts = [...messageId.split(':'), eventId];
  if (!parts.every((p) => ID_PART.test(p))) throw new RangeError(`not a message id made of plain ids: ${messageId} / ${eventId}`);
  const domain = DOMAIN.test(senderDomain) ? senderDomain.toLowerCase() : 'academy-orchestrator.invalid';
  return `<${parts.join('.')}@${domain}>`;
}

export function newMessage(
  eventId: string,
  participantId: string,
  id: string,
  details: MessageDetails,
  senderDomain: string,
  plannedFor?: Date,
): NewMessage {
  return {
    id,
    eventId,
    participantId,
    details,
    messageIdHeader: messageIdHeader(id, eventId, senderDomain),
    ...(plannedFor ? { plannedFor: plannedFor.toISOString() } : {}),
  };
}

/** Which sessions a participant has. Today everyone has every session; this is the one place that will change. */
export function participantSessions(schedule: Pick<Schedule, 'sessions'>, _participant: { id: string; role?: string }): ScheduledSession[] {
  return schedule.sessions;
}

export const DEFAULT_REMINDER_OFFSETS: readonly number[] = Object.freeze([1440, 60]);

export interface PlannedReminder {
  date: string;
  minutesBefore: number;
  sendAt: Date;
  /** The first session of that date, the moment the reminder counts back from. */
  firstStartsAt: string;
}

/**
 * One reminder per offset before the first session of each date. An academy day and the conference may share a
 * date; they get one reminder listing both rather than two mails at the same minute. A moment already past is
 * skipped: a reminder sent late would arrive after what it announces, or be noise.
 */
export function planReminders(sessions: readonly ScheduledSession[], minutesBefore: readonly number[] | undefined, now: Date): PlannedReminder[] {
  return reminderMoments(sessions, minutesBefore).filter((r) => r.sendAt.getTime() > now.getTime());
}

/**
 * Every reminder the programme has, past moments included: one already queued for a moment that has just passed
 * (a send backlog, a job lost in a failover) is still the programme's, unlike one whose moment moved.
 */
export function reminderMoments(sessions: readonly ScheduledSession[], minutesBefore: readonly number[] | undefined): PlannedReminder[] {
  const offsets = [...new Set(minutesBefore ?? DEFAULT_REMINDER_OFFSETS)].filter((m) => Number.isInteger(m) && m > 0);
  const firstByDate = new Map<string, string>();
  for (const s of sessions) {
    const first = firstByDate.get(s.date);
    if (first === undefined || Date.parse(s.startsAt) < Date.parse(first)) firstByDate.set(s.date, s.startsAt);
  }
  const planned: PlannedReminder[] = [];
  for (const [date, firstStartsAt] of firstByDate) {
    for (const offset of offsets) {
      planned.push({ date, minutesBefore: offset, sendAt: new Date(Date.parse(firstStartsAt) - offset * 60_000), firstStartsAt });
    }
  }
  return planned.sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime() || a.date.localeCompare(b.date));
}

export function snapshot(s: ScheduledSession): SessionSnapshot {
  return { title: s.title, date: s.date, kind: s.kind, localStart: s.localStart, localEnd: s.localEnd, startsAt: s.startsAt, endsAt: s.endsAt };
}

const sameTime = (a: SessionSnapshot, b: SessionSnapshot) =>
  Date.parse(a.startsAt) === Date.parse(b.startsAt) && Date.parse(a.endsAt) === Date.parse(b.endsAt) && a.date === b.date;

const isFuture = (s: SessionSnapshot | undefined, nowMs: number) => s !== undefined && Date.parse(s.startsAt) > nowMs;

function toChange(sessionId: string, before: SessionSnapshot | undefined, after: SessionSnapshot | undefined): SessionChange | undefined {
  if (before && after) return sameTime(before, after) ? undefined : { change: 'moved', sessionId, before, after };
  if (after) return { change: 'added', sessionId, after };
  if (before) return { change: 'removed', sessionId, before };
  return undefined;
}

function ordered(changes: SessionChange[]): SessionChange[] {
  const at = (c: SessionChange) => Date.parse(c.change === 'removed' ? c.before.startsAt : c.after.startsAt);
  return changes.sort((a, b) => at(a) - at(b) || a.sessionId.localeCompare(b.sessionId));
}

/**
 * What a participant should hear about between two versions of their sessions: times moved, sessions added or
 * removed, and only where the session is still ahead (a moved session counts when either its old or its new start
 * is). A renamed session that kept its time is not a change worth a mail: the page and the feed show the name.
 */
export function sessionChanges(before: readonly ScheduledSession[], after: readonly ScheduledSession[], now: Date): SessionChange[] {
  const nowMs = now.getTime();
  const old = new Map(before.map((s) => [s.id, snapshot(s)]));
  const next = new Map(after.map((s) => [s.id, snapshot(s)]));
  const changes: SessionChange[] = [];
  for (const id of new Set([...old.keys(), ...next.keys()])) {
    const b = old.get(id);
    const a = next.get(id);
    if (!isFuture(b, nowMs) && !isFuture(a, nowMs)) continue;
    const change = toChange(id, b, a);
    if (change) changes.push(change);
  }
  return ordered(changes);
}

/**
 * Folds a later change set into one not sent yet, so the notice says where each session was when the participant
 * last heard and where it is now: moved twice is one move, added then removed is nothing, moved back is nothing.
 */
export function mergeChanges(earlier: readonly SessionChange[], later: readonly SessionChange[]): SessionChange[] {
  const spans = new Map<string, { before: SessionSnapshot | undefined; after: SessionSnapshot | undefined }>();
  for (const c of earlier) spans.set(c.sessionId, { before: c.change === 'added' ? undefined : c.before, after: c.change === 'removed' ? undefined : c.after });
  for (const c of later) {
    const after = c.change === 'removed' ? undefined : c.after;
    const known = spans.get(c.sessionId);
    if (known) known.after = after;
    else spans.set(c.sessionId, { before: c.change === 'added' ? undefined : c.before, after });
  }
  const merged: SessionChange[] = [];
  for (const [id, span] of spans) {
    const change = toChange(id, span.before, span.after);
    if (change) merged.push(change);
  }
  return ordered(merged);
}
