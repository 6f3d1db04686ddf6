import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  invitationMessageId,
  mergeChanges,
  newMessage,
  reminderMessageId,
  updateMessageId,
  type SessionChange,
} from '../../src/domain/messages.js';
import { createMessageStore, type MessageStore } from '../../src/store/message-store.js';
import { keySpace } from '../../src/store/redis.js';
import { deleteKeys, uniquePrefix } from '../helpers/redis-keys.js';

const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const EVENT = 'hrgl-2024';
const DOMAIN = 'example.org';
const now = new Date('2024-01-10T10:00:00.000Z');

let prefix: string;
let store: MessageStore;

beforeEach(() => {
  prefix = uniquePrefix('messages');
  store = createMessageStore(redis, keySpace(prefix));
});
afterEach(async () => {
  await deleteKeys(redis, prefix);
});
afterAll(async () => {
  await redis.quit();
});

const invitation = (pid: string, n = 1) => newMessage(EVENT, pid, invitationMessageId(pid, n), { kind: 'invitation', n }, DOMAIN);
const reminder = (pid: string, date: string, minutesBefore: number, at: string) =>
  newMessage(EVENT, pid, reminderMessageId(pid, date, minutesBefore), { kind: 'reminder', date, minutesBefore }, DOMAIN, new Date(at));

const snapshot = (localStart: string, startsAt: string) => ({
  title: 'Keynote',
  date: '2024-02-06',
  kind: 'academy' as const,
  localStart,
  localEnd: '10:30',
  startsAt,
  endsAt: '2024-02-06T09:30:00Z',
});
const moved = (from: [string, string], to: [string, string]): SessionChange => ({
  change: 'moved',
  sessionId: 'd2-keynote',
  before: snapshot(...from),
  after: snapshot(...to),
});

describe('message store', () => {
  it('plans a message once however often its cause repeats', async () => {
    const first = await store.plan(invitation('p-1'), now);
    expect(first.created).toBe(true);
    expect(first.record).toEqual({
      id: 'inv:p-1:1',
      eventId: EVENT,
      participantId: 'p-1',
      status: 'queued',
      attempts: 0,
      createdAt: now.toISOString(),
      messageIdHeader: '<inv.p-1.1.hrgl-2024@example.org>',
      details: { kind: 'invitation', n: 1 },
    });
    const again = await Promise.all([store.plan(invitation('p-1'), now), store.plan(invitation('p-1'), now)]);
    expect(again.map((r) => r.created)).toEqual([false, false]);
    expect(await store.list(EVENT)).toHaveLength(1);
  });

  it('walks a message through attempts, a retry and sending', async () => {
    await store.plan(invitation('p-1'), now);
    const first = await store.beginAttempt(EVENT, 'inv:p-1:1');
    expect(first?.attempts).toBe(1);
    await store.noteRetry(EVENT, 'inv:p-1:1', '451 try later');
    expect(await store.get(EVENT, 'inv:p-1:1')).toMatchObject({ status: 'queued', attempts: 1, error: '451 try later' });
    expect((await store.beginAttempt(EVENT, 'inv:p-1:1'))?.attempts).toBe(2);
    await store.markSent(EVENT, 'inv:p-1:1', new Date('2024-01-10T10:01:00.000Z'));
    const sent = await store.get(EVENT, 'inv:p-1:1');
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, sentAt: '2024-01-10T10:01:00.000Z' });
    expect(sent?.error).toBeUndefined();
    // A redelivered job after the send finds nothing to do.
    expect(await store.beginAttempt(EVENT, 'inv:p-1:1')).toBeUndefined();
  });

  it('records a permanent failure with the reason, and skips', async () => {
    await store.plan(invitation('p-1'), now);
    await store.plan(invitation('p-2'), now);
    await store.beginAttempt(EVENT, 'inv:p-1:1');
    await store.markFailed(EVENT, 'inv:p-1:1', '550 5.1.1 User unknown');
    expect(await store.markSkipped(EVENT, 'inv:p-2:1', 'no SMTP_URL configured')).toBe(true);
    expect(await store.markSkipped(EVENT, 'inv:p-1:1', 'late')).toBe(false);
    expect(await store.get(EVENT, 'inv:p-1:1')).toMatchObject({ status: 'failed', error: '550 5.1.1 User unknown' });
    expect(await store.get(EVENT, 'inv:p-2:1')).toMatchObject({ status: 'skipped', error: 'no SMTP_URL configured' });
  });

  it('lists by event with filters on participant, kind and status', async () => {
    await store.plan(invitation('p-1'), now);
    await store.plan(reminder('p-1', '2024-02-05', 1440, '2024-02-04T08:00:00Z'), new Date(now.getTime() + 1));
    await store.plan(reminder('p-2', '2024-02-05', 1440, '2024-02-04T08:00:00Z'), new Date(now.getTime() + 2));
    await store.markSkipped(EVENT, 'rem:p-2:2024-02-05:1440', 'reminders off');
    expect((await store.list(EVENT)).map((m) => m.id)).toEqual(['inv:p-1:1', 'rem:p-1:2024-02-05:1440', 'rem:p-2:2024-02-05:1440']);
    expect((await store.list(EVENT, { participantId: 'p-1' })).map((m) => m.id)).toEqual(['inv:p-1:1', 'rem:p-1:2024-02-05:1440']);
    expect((await store.list(EVENT, { kind: 'reminder' })).map((m) => m.participantId)).toEqual(['p-1', 'p-2']);
    expect((await store.list(EVENT, { kind: 'reminder', status: 'queued' })).map((m) => m.participantId)).toEqual(['p-1']);
    expect(await store.list('other-event')).toEqual([]);
    expect((await store.get(EVENT, 'rem:p-1:2024-02-05:1440'))?.plannedFor).toBe('2024-02-04T08:00:00.000Z');
  });

  it('cancels every pending message of a participant, and only those', async () => {
    await store.plan(invitation('p-1'), now);
    await store.plan(reminder('p-1', '2024-02-05', 60, '2024-02-05T07:00:00Z'), now);
    await store.plan(reminder('p-2', '2024-02-05', 60, '2024-02-05T07:00:00Z'), now);
    await store.beginAttempt(EVENT, 'inv:p-1:1');
    await store.markSent(EVENT, 'inv:p-1:1', now);
    expect(await store.cancelPending(EVENT, 'p-1', 'participant removed', now)).toEqual(['rem:p-1:2024-02-05:60']);
    expect(await store.get(EVENT, 'rem:p-1:2024-02-05:60')).toMatchObject({ status: 'skipped', error: 'participant removed', cancelledAt: now.toISOString() });
    expect((await store.get(EVENT, 'inv:p-1:1'))?.status).toBe('sent');
    expect((await store.get(EVENT, 'rem:p-2:2024-02-05:60'))?.status).toBe('queued');
    expect(await store.cancelPending(EVENT, 'p-1', 'again', now)).toEqual([]);
  });

  it('re-times a queued reminder, revives a cancelled one, and leaves sent ones alone', async () => {
    await store.plan(reminder('p-1', '2024-02-05', 60, '2024-02-05T07:00:00Z'), now);
    expect(await store.replan(EVENT, 'rem:p-1:2024-02-05:60', new Date('2024-02-05T08:00:00Z'))).toBe(true);
    expect((await store.get(EVENT, 'rem:p-1:2024-02-05:60'))?.plannedFor).toBe('2024-02-05T08:00:00.000Z');

    expect(await store.cancel(EVENT, 'rem:p-1:2024-02-05:60', 'day removed', now)).toBe(true);
    expect(await store.replan(EVENT, 'rem:p-1:2024-02-05:60', new Date('2024-02-05T09:00:00Z'))).toBe(true);
    const revived = await store.get(EVENT, 'rem:p-1:2024-02-05:60');
    expect(revived).toMatchObject({ status: 'queued', plannedFor: '2024-02-05T09:00:00.000Z' });
    expect(revived?.cancelledAt).toBeUndefined();
    expect(revived?.error).toBeUndefined();

    await store.plan(invitation('p-2'), now);
    await store.markSkipped(EVENT, 'inv:p-2:1', 'no SMTP_URL configured');
    expect(await store.replan(EVENT, 'inv:p-2:1', undefined)).toBe(false);
    await store.beginAttempt(EVENT, 'rem:p-1:2024-02-05:60');
    await store.markSent(EVENT, 'rem:p-1:2024-02-05:60', now);
    expect(await store.replan(EVENT, 'rem:p-1:2024-02-05:60', new Date('2024-02-05T10:00:00Z'))).toBe(false);
  });

  it('merges changes into a notice nobody started to send, and refuses once an attempt began', async () => {
    const first = moved(['09:00', '2024-02-06T08:00:00Z'], ['09:30', '2024-02-06T08:30:00Z']);
    const second = moved(['09:30', '2024-02-06T08:30:00Z'], ['08:00', '2024-02-06T07:00:00Z']);
    const id = updateMessageId('p-1', 3);
    await store.plan(newMessage(EVENT, 'p-1', id, { kind: 'update', baseVersion: 3, changes: [first] }, DOMAIN, new Date('2024-01-10T10:05:00Z')), now);
    const merge = (change: SessionChange) =>
      store.reviseUnsent(EVENT, id, (r) => (r.details.kind === 'update' ? { ...r.details, changes: mergeChanges(r.details.changes, [change]) } : r.details));

    const revised = await merge(second);
    expect(revised?.details).toEqual({ kind: 'update', baseVersion: 3, changes: [moved(['09:00', '2024-02-06T08:00:00Z'], ['08:00', '2024-02-06T07:00:00Z'])] });

    // Concurrent revisions are applied one after the other, none lost.
    const back = moved(['08:00', '2024-02-06T07:00:00Z'], ['09:00', '2024-02-06T08:00:00Z']);
    const other: SessionChange = { change: 'added', sessionId: 'x', after: { ...snapshot('16:00', '2024-02-06T15:00:00Z'), title: 'X' } };
    await Promise.all([merge(back), merge(other)]);
    expect((await store.get(EVENT, id))?.details).toEqual({ kind: 'update', baseVersion: 3, changes: [other] });

    await store.beginAttempt(EVENT, id);
    expect(await merge(first)).toBeUndefined();
  });

  it('counts resent invitations from 2 and keeps the reminder opt-out per participant', async () => {
    expect(await store.nextInvitationNumber(EVENT, 'p-1')).toBe(2);
    expect(await store.nextInvitationNumber(EVENT, 'p-1')).toBe(3);
    expect(await store.nextInvitationNumber(EVENT, 'p-2')).toBe(2);
    expect(await store.remindersOff(EVENT, 'p-1')).toBe(false);
    await store.setRemindersOff(EVENT, 'p-1', true);
    expect(await store.remindersOff(EVENT, 'p-1')).toBe(true);
    expect(await store.remindersOff(EVENT, 'p-2')).toBe(false);
    await store.setRemindersOff(EVENT, 'p-1', false);
    expect(await store.remindersOff(EVENT, 'p-1')).toBe(false);
  });

  it('says who of many turned reminders off, in one question per thousand', async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => `p-${i}`);
    for (const id of ['p-3', 'p-1500', 'p-2499']) await store.setRemindersOff(EVENT, id, true);
    expect([...(await store.remindersOffAmong(EVENT, ids))].sort()).toEqual(['p-1500', 'p-2499', 'p-3']);
    expect(await store.remindersOffAmong(EVENT, [])).toEqual(new Set());
    expect(await store.remindersOffAmong('other-event', ids)).toEqual(new Set());
  });

  it('keeps every key under its prefix', async () => {
    await store.plan(invitation('p-1'), now);
    await store.nextInvitationNumber(EVENT, 'p-1');
    await store.setRemindersOff(EVENT, 'p-1', true);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    expect(keys.sort()).toEqual(
      [
        `${prefix}:event:${EVENT}:invitations`,
        `${prefix}:event:${EVENT}:message:inv:p-1:1`,
        `${prefix}:event:${EVENT}:messages`,
        `${prefix}:event:${EVENT}:messages:participant:p-1`,
        `${prefix}:event:${EVENT}:reminders-off`,
      ].sort(),
    );
  });
});
