import { afterEach, describe, expect, it } from 'vitest';
import { oneDay } from '../helpers/programme-fixtures.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';
import { auth } from '../helpers/test-app.js';

// 2030-06-03 09:00 Vienna = 07:00Z; with the default 10-minute lead the warm-up create is due at 06:50Z.
const DUE = Date.parse('2030-06-03T06:50:00.000Z');
let s: Stack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const put = (stack: Stack, programme: unknown) =>
  stack.app.inject({ method: 'PUT', url: '/api/v1/events/prov', headers: auth, payload: programme as object });
const status = async (stack: Stack) =>
  (await stack.app.inject({ method: 'GET', url: '/api/v1/events/prov/provisioning', headers: auth })).json().rooms as Array<{
    id: string;
    status: string;
    error?: string;
  }>;
const day = (start = '09:00', extra: Array<{ id: string; start: string; end: string; room?: string }> = []) =>
  oneDay([{ id: 's1', start, end: '12:00' }, ...extra], { id: 'prov', date: '2030-06-03' });

describe('BigBlueButton provisioning', () => {
  it('creates each room at its first session start minus the lead, not before', async () => {
    const clock = new TestClock(new Date(DUE - 3000), true);
    s = await startStack({ clock, worker: true });
    clock.set(new Date(DUE - 3000));
    await put(s, day('09:00', [{ id: 'ws', start: '10:00', end: '11:00', room: 'workshop-a' }]));
    expect(await status(s)).toEqual([
      expect.objectContaining({ id: 'bbb-2030-06-03', status: 'scheduled' }),
      expect.objectContaining({ id: 'bbb-2030-06-03-workshop-a', status: 'scheduled' }),
    ]);
    expect(s.bbb.callCount('create')).toBe(0);
    await expect.poll(() => s!.bbb.callCount('create'), { timeout: 8000 }).toBe(1);
    await expect.poll(async () => (await status(s!))[0]?.status, { timeout: 3000 }).toBe('ready');
    const created = s.bbb.calls.find((c) => c.callName === 'create');
    // The simulator stamps calls on the wall clock; the test clock runs on from its start at the same pace.
    const clockAtCreate = created!.at + (clock.now().getTime() - Date.now());
    expect(clockAtCreate).toBeGreaterThanOrEqual(DUE);
    expect(created?.params).toMatchObject({ meetingID: 'prov--bbb-2030-06-03', record: 'false', guestPolicy: 'ALWAYS_ACCEPT', 'meta_event': 'prov' });
    expect(created?.params.welcome).toContain('09:00–12:00 s1');
    expect(created?.params.logoutURL).toBe('http://links.test/left/prov');
    // the workshop room starts an hour later, so its create is still waiting
    expect((await status(s))[1]?.status).toBe('scheduled');
  });

  it('re-times a delayed create when the programme moves, and drops rooms that disappear', async () => {
    const clock = new TestClock(new Date(DUE - 1500), true);
    s = await startStack({ clock, worker: true });
    await put(s, day('09:00', [{ id: 'ws', start: '09:00', end: '11:00', room: 'gone' }]));
    // Move the day's start one hour later and remove the workshop room.
    await put(s, day('10:00'));
    const rooms = await status(s);
    expect(rooms.map((r) => r.id)).toEqual(['bbb-2030-06-03']);
    const delayed = await s.deps.queues.get('bbb').getDelayed();
    expect(delayed).toHaveLength(1);
    expect(delayed[0]!.opts.delay).toBeGreaterThan(3_500_000);
    // The one job left is the re-timed one, an hour away: nothing else can create the room early.
    expect(await s.deps.queues.get('bbb').getJobCounts('waiting', 'active', 'prioritized')).toMatchObject({ waiting: 0, active: 0, prioritized: 0 });
    expect(s.bbb.callCount('create')).toBe(0);
  });

  it('provisions everything now on POST /provision', async () => {
    const clock = new TestClock(new Date(DUE - 3_600_000), true);
    s = await startStack({ clock, worker: true });
    await put(s, day());
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/events/prov/provision', headers: auth });
    expect(res.statusCode).toBe(202);
    await expect.poll(async () => (await status(s!))[0]?.status, { timeout: 5000 }).toBe('ready');
    expect(s.bbb.callCount('create')).toBe(1);
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/events/none/provision', headers: auth })).statusCode).toBe(404);
  });

  it('retries a failing BigBlueButton with backoff until it succeeds', async () => {
    const clock = new TestClock(new Date(DUE), true);
    s = await startStack({ clock, worker: true });
    s.bbb.faults.failNext(1, 'http500');
    await put(s, day());
    await expect.poll(async () => (await status(s!))[0]?.status, { timeout: 10_000, interval: 200 }).toBe('ready');
    expect(s.bbb.callCount('create')).toBe(1);
  });

  it('marks a permanent failure as failed with the reason, without retrying', async () => {
    const clock = new TestClock(new Date(DUE), true);
    s = await startStack({ clock, worker: true, env: { BBB_SECRET: 'not-the-server-secret' } });
    await put(s, day());
    await expect.poll(async () => (await status(s!))[0]?.status, { timeout: 5000 }).toBe('failed');
    expect((await status(s))[0]?.error).toMatch(/checksumError/);
    const failed = await s.deps.queues.get('bbb').getFailed();
    expect(failed[0]?.attemptsMade).toBe(1);
  });
});
