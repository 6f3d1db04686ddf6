import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobId } from '../../src/queue/job-registry.js';
import { CERTIFICATES_AFTER_LAST_END_MS, ZOOM_AFTER_SCHEDULED_END_MS } from '../../src/services/attendance-schedule.js';
import { certificatesIssue } from '../../src/workers/processors/certificates-issue.js';
import { put } from '../helpers/attendance-fixtures.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';

// 2030-06-04 10:00–11:00 Vienna (08:00–09:00Z) is the last session; the conference runs in webinar zoom-2030-06-04.
const programme = (end = '11:00') => ({
  id: 'sched',
  title: 'Schedule',
  timezone: 'Europe/Vienna',
  certificate: { minimumPercent: 50 },
  days: [
    { date: '2030-06-03', kind: 'academy', title: 'A', sessions: [{ id: 'a1', title: 'One', start: '09:00', end: '10:00' }] },
    { date: '2030-06-04', kind: 'conference', title: 'C', sessions: [{ id: 'c1', title: 'Two', start: '10:00', end }] },
  ],
});

let s: Stack;
const clock = new TestClock('2030-06-01T00:00:00Z');
beforeAll(async () => {
  s = await startStack({ clock });
});
afterAll(async () => s?.close());

describe('attendance schedule', () => {
  it('plans Zoom reconciliation and certificates after the programme ends, under ids that follow from the times', async () => {
    expect((await put(s, programme())).statusCode).toBe(201);
    const end = Date.parse('2030-06-04T09:00:00Z');
    const certificates = await s.deps.queues.get('messages').getJob(jobId('certificates.issue', 'sched', 'scheduled', end));
    expect(certificates?.data).toEqual({ eventId: 'sched', reason: 'scheduled', due: end });
    expect(certificates?.opts.delay).toBe(end + CERTIFICATES_AFTER_LAST_END_MS - clock.now().getTime());
    const zoom = await s.deps.queues.get('zoom').getJob(jobId('attendance.zoom-reconcile', 'sched', 'zoom-2030-06-04', 'scheduled', end));
    expect(zoom?.opts.delay).toBe(end + ZOOM_AFTER_SCHEDULED_END_MS - clock.now().getTime());

    // The same programme again adds nothing; a moved end plans under a new id.
    expect((await put(s, programme())).statusCode).toBe(200);
    expect(await s.deps.queues.get('messages').getJobCountByTypes('delayed')).toBe(1);
    expect((await put(s, programme('11:30'))).statusCode).toBe(200);
    expect(await s.deps.queues.get('messages').getJob(jobId('certificates.issue', 'sched', 'scheduled', end + 30 * 60_000))).toBeDefined();
  });

  it('lets a job planned for an older end do nothing', async () => {
    const calls: string[] = [];
    const run = certificatesIssue({ events: s.deps.stores.events, certificates: { issue: async (id) => (calls.push(id), { kind: 'issued', created: [], updated: 0, eligible: 0 }) }, clock: new TestClock('2030-06-05T00:00:00Z') });
    const end = Date.parse('2030-06-04T09:00:00Z');
    expect(await run({ eventId: 'sched', reason: 'scheduled', due: end })).toEqual({ skipped: 'superseded by a newer schedule' });
    expect(await run({ eventId: 'sched', reason: 'scheduled', due: end + 30 * 60_000 })).toMatchObject({ kind: 'issued' });
    expect(await run({ eventId: 'sched', reason: 'requested', due: 0 })).toMatchObject({ kind: 'issued' });
    expect(calls).toEqual(['sched', 'sched']);
  });
});
