import { describe, expect, it } from 'vitest';
import {
  certificateMessageId,
  confirmationMessageId,
  invitationMessageId,
  mergeChanges,
  messageIdHeader,
  messageRecordSchema,
  newMessage,
  planReminders,
  reminderMessageId,
  reminderMoments,
  sessionChanges,
  updateMessageId,
} from '../../src/domain/messages.js';
import { programmeSchema } from '../../src/domain/programme.js';
import { scheduleProgramme } from '../../src/domain/schedule.js';
import { exampleProgramme, oneDay } from '../helpers/programme-fixtures.js';

const schedule = (input: unknown) => scheduleProgramme(programmeSchema.parse(input)).sessions;
const example = () => schedule(exampleProgramme());

describe('message ids', () => {
  it('are fixed by their cause', () => {
    expect(invitationMessageId('p-abc', 1)).toBe('inv:p-abc:1');
    expect(invitationMessageId('p-abc', 2)).toBe('inv:p-abc:2');
    expect(reminderMessageId('p-abc', '2024-02-05', 1440)).toBe('rem:p-abc:2024-02-05:1440');
    expect(updateMessageId('p-abc', 3)).toBe('upd:p-abc:3');
    expect(confirmationMessageId('r-xyz')).toBe('cnf:r-xyz:1');
    expect(certificateMessageId('p-abc')).toBe('crt:p-abc');
  });

  it('give a valid RFC 5322 Message-ID, one per message and event, on the sender domain', () => {
    const header = messageIdHeader('rem:p-abc:2024-02-05:1440', 'hrgl-2024', 'Example.ORG');
    expect(header).toBe('<rem.p-abc.2024-02-05.1440.hrgl-2024@example.org>');
    // msg-id = "<" dot-atom-text "@" dot-atom-text ">"
    expect(header).toMatch(/^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*>$/);
    expect(messageIdHeader('inv:p-abc:1', 'other-event', 'example.org')).not.toBe(messageIdHeader('inv:p-abc:1', 'hrgl-2024', 'example.org'));
    expect(messageIdHeader('inv:p-abc:1', 'hrgl-2024', 'example.org')).toBe(messageIdHeader('inv:p-abc:1', 'hrgl-2024', 'example.org'));
  });

  it('refuse ids that could break the header, and fall back for a domain that is not a plain hostname', () => {
    expect(() => messageIdHeader('inv:p>x:1', 'e', 'example.org')).toThrow(RangeError);
    expect(() => messageIdHeader('inv:p x\r\n:1', 'e', 'example.org')).toThrow(RangeError);
    expect(messageIdHeader('inv:p-1:1', 'e', 'bücher.example')).toBe('<inv.p-1.1.e@academy-orchestrator.invalid>');
    expect(messageIdHeader('inv:p-1:1', 'e', '[127.0.0.1]')).toBe('<inv.p-1.1.e@academy-orchestrator.invalid>');
  });

  it('builds a planned message that the record schema accepts once stored', () => {
    const planned = newMessage('hrgl-2024', 'p-abc', invitationMessageId('p-abc', 1), { kind: 'invitation', n: 1 }, 'example.org');
    const record = messageRecordSchema.parse({ ...planned, status: 'queued', attempts: 0, createdAt: '2024-01-10T10:00:00.000Z' });
    expect(record.details).toEqual({ kind: 'invitation', n: 1 });
    expect(record.messageIdHeader).toBe('<inv.p-abc.1.hrgl-2024@example.org>');
  });
});

describe('planReminders', () => {
  const now = new Date('2024-01-20T00:00:00Z');

  it('plans 1440 and 60 minutes before the first session of each date by default', () => {
    const planned = planReminders(example(), undefined, now);
    expect(planned.map((r) => `${r.date}/${r.minutesBefore}@${r.sendAt.toISOString()}`)).toEqual([
      '2024-02-05/1440@2024-02-04T08:00:00.000Z',
      '2024-02-05/60@2024-02-05T07:00:00.000Z',
      '2024-02-06/1440@2024-02-05T08:00:00.000Z',
      '2024-02-06/60@2024-02-06T07:00:00.000Z',
      '2024-02-07/1440@2024-02-06T08:00:00.000Z',
      '2024-02-07/60@2024-02-07T07:00:00.000Z',
      // The conference starts at 10:00.
      '2024-02-08/1440@2024-02-07T09:00:00.000Z',
      '2024-02-08/60@2024-02-08T08:00:00.000Z',
    ]);
  });

  it('plans nothing for [] and skips moments already past', () => {
    expect(planReminders(example(), [], now)).toEqual([]);
    const late = planReminders(example(), undefined, new Date('2024-02-05T07:30:00Z'));
    expect(late[0]).toMatchObject({ date: '2024-02-06', minutesBefore: 1440 });
    expect(late.some((r) => r.date === '2024-02-05')).toBe(false);
  });

  it('knows every moment the programme has, also those past, for the queued reminders still due', () => {
    const all = reminderMoments(example(), undefined);
    expect(all).toEqual(planReminders(example(), undefined, now));
    const late = new Date('2024-02-05T07:30:00Z');
    expect(all.filter((r) => r.sendAt.getTime() > late.getTime())).toEqual(planReminders(example(), undefined, late));
    expect(all.filter((r) => r.date === '2024-02-05').map((r) => r.minutesBefore)).toEqual([1440, 60]);
  });

  it('reminds once per date when an academy day and the conference share it, before whichever starts first', () => {
    const input = exampleProgramme();
    (input.days[3] as { date: string }).date = '2024-02-07';
    const planned = planReminders(schedule(input), [60], now).filter((r) => r.date === '2024-02-07');
    expect(planned).toEqual([{ date: '2024-02-07', minutesBefore: 60, sendAt: new Date('2024-02-07T07:00:00Z'), firstStartsAt: '2024-02-07T08:00:00Z' }]);
  });

  it('counts back from the instant, across a change of clocks', () => {
    // 2024-03-31 09:00 in Vienna is CEST (UTC+2); a day earlier it was CET, so 24 hours before is 08:00 local.
    const sessions = schedule(oneDay([{ id: 's', start: '09:00', end: '10:00' }], { date: '2024-03-31' }));
    expect(planReminders(sessions, [1440], now)[0]?.sendAt.toISOString()).toBe('2024-03-30T07:00:00.000Z');
  });

  it('ignores repeated and nonsensical offsets', () => {
    const sessions = schedule(oneDay([{ id: 's', start: '09:00', end: '10:00' }]));
    expect(planReminders(sessions, [60, 60, 0, -5, 1.5], now).map((r) => r.minutesBefore)).toEqual([60]);
  });
});

describe('sessionChanges', () => {
  const before = example();
  const now = new Date('2024-02-05T12:00:00Z');
  const edit = (mutate: (days: Array<{ sessions: Array<Record<string, unknown>> }>) => void) => {
    const input = exampleProgramme();
    mutate(input.days as Array<{ sessions: Array<Record<string, unknown>> }>);
    return schedule(input);
  };

  it('reports moved, added and removed future sessions with old and new local times', () => {
    const after = edit((days) => {
      Object.assign(days[1]!.sessions[0]!, { start: '09:30', end: '11:00' });
      days[2]!.sessions.splice(1, 1);
      days[2]!.sessions.push({ id: 'd3-extra', title: 'Extra', start: '14:00', end: '15:00' });
    });
    const changes = sessionChanges(before, after, now);
    expect(changes.map((c) => `${c.change}:${c.sessionId}`)).toEqual(['moved:d2-keynote', 'removed:d3-outcome', 'added:d3-extra']);
    expect(changes[0]).toMatchObject({
      before: { localStart: '09:00', localEnd: '10:30', date: '2024-02-06', startsAt: '2024-02-06T08:00:00Z' },
      after: { localStart: '09:30', localEnd: '11:00', date: '2024-02-06', startsAt: '2024-02-06T08:30:00Z' },
    });
  });

  it('ignores sessions already started or past, and renames that keep the time', () => {
    const after = edit((days) => {
      Object.assign(days[0]!.sessions[0]!, { start: '08:30' });
      days[0]!.sessions[1]!.title = 'Renamed';
    });
    expect(sessionChanges(before, after, now)).toEqual([]);
  });

  it('counts a session moved from the past into the future', () => {
    const after = edit((days) => Object.assign(days[0]!.sessions[0]!, { start: '16:00', end: '17:00' }));
    expect(sessionChanges(before, after, now).map((c) => c.change)).toEqual(['moved']);
  });

  it('reports a move to another date', () => {
    const after = edit((days) => {
      const moved = days[1]!.sessions.pop()!;
      days[2]!.sessions.push({ ...moved });
    });
    const [change] = sessionChanges(before, after, now);
    expect(change).toMatchObject({ change: 'moved', sessionId: 'd2-plenary', before: { date: '2024-02-06' }, after: { date: '2024-02-07' } });
  });
});

describe('mergeChanges', () => {
  const now = new Date('2024-01-01T00:00:00Z');
  const base = example();
  const v2 = (() => {
    const input = exampleProgramme();
    Object.assign((input.days[1] as { sessions: object[] }).sessions[0]!, { start: '09:30', end: '11:00' });
    return schedule(input);
  })();
  const v3 = (() => {
    const input = exampleProgramme();
    Object.assign((input.days[1] as { sessions: object[] }).sessions[0]!, { start: '08:00', end: '08:45' });
    (input.days[2] as { sessions: object[] }).sessions.push({ id: 'new', title: 'New', start: '16:00', end: '17:00' });
    return schedule(input);
  })();

  it('reports where a session was when last told and where it is now', () => {
    const merged = mergeChanges(sessionChanges(base, v2, now), sessionChanges(v2, v3, now));
    expect(merged).toEqual(sessionChanges(base, v3, now));
    expect(merged.find((c) => c.sessionId === 'd2-keynote')).toMatchObject({ before: { localStart: '09:00' }, after: { localStart: '08:00' } });
  });

  it('drops what was undone within the window', () => {
    expect(mergeChanges(sessionChanges(base, v2, now), sessionChanges(v2, base, now))).toEqual([]);
    const added = sessionChanges(base, v3, now).filter((c) => c.sessionId === 'new');
    expect(mergeChanges(added, sessionChanges(v3, base, now).filter((c) => c.sessionId === 'new'))).toEqual([]);
  });

  it('is idempotent: merging the same change again changes nothing', () => {
    const once = mergeChanges([], sessionChanges(base, v2, now));
    expect(mergeChanges(once, sessionChanges(base, v2, now))).toEqual(once);
  });
});
