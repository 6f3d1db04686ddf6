import { afterEach, describe, expect, it } from 'vitest';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { auth } from '../helpers/test-app.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';

// The webinar is on 2030-06-05 at 10:00 Vienna (08:00Z); registration happens the evening before (UTC).
const programme = {
  id: 'limits',
  title: 'Limits',
  timezone: 'Europe/Vienna',
  days: [{ date: '2030-06-05', kind: 'conference', title: 'Conference', sessions: [{ id: 'c1', title: 'Opening', start: '10:00', end: '11:00' }] }],
};

let s: Stack | undefined;
let zoom: ZoomSimulator | undefined;
afterEach(async () => {
  await s?.close();
  await zoom?.close();
  s = undefined;
  zoom = undefined;
});

type Operation = { action: string; target: string; when: string; count?: number; participantIds?: string[]; reason: string };
type HeldBack = { count: number; participants: Array<{ id: string; retryAt: string; reason: string }> };
type RoomState = { id: string; status: string; webinarId?: string; heldBack?: HeldBack };
const get = async (path: string) => (await s!.app.inject({ method: 'GET', url: `/api/v1/events/limits/${path}`, headers: auth })).json();
const rooms = async () => (await get('provisioning')).rooms as RoomState[];
const registrantOps = async () => ((await get('plan')).operations as Operation[]).filter((op) => op.target === 'zoom-registrants');
const approved = (webinarId: number) => (zoom!.state.registrants.get(webinarId) ?? []).filter((r) => r.status === 'approved').map((r) => r.email);
const pausedLogs = () => s!.logs.filter((line) => line.includes('queue paused'));

async function readyWebinar(): Promise<number> {
  await s!.app.inject({ method: 'PUT', url: '/api/v1/events/limits', headers: auth, payload: programme });
  await expect.poll(async () => (await rooms())[0]?.status, { timeout: 10_000 }).toBe('ready');
  return Number((await rooms())[0]!.webinarId);
}

/** Uses up one person's three adds of the UTC day on other webinars of the account, as Zoom counts across webinars. */
async function exhaustAdds(email: string): Promise<void> {
  const client = s!.deps.zoom!.client;
  for (let i = 0; i < 3; i += 1) {
    const other = await client.createWebinar('me', { topic: `Other ${i}`, type: 5, start_time: '2030-06-10T08:00:00Z', duration: 60, settings: { approval_type: 0 } });
    await client.addRegistrant(other.id, { email, first_name: 'Busy' });
  }
}

describe('Zoom’s per-registrant daily add limit', () => {
  it('holds back only the refused person, registers the rest at once, and that person after the reset', async () => {
    const clock = new TestClock('2030-06-04T22:00:00Z', true);
    zoom = await startZoomServer({ now: () => clock.now().getTime() });
    s = await startStack({ zoom, worker: true, clock });
    const webinarId = await readyWebinar();
    await exhaustAdds('busy@example.org');

    const people = [{ name: 'Busy Person', email: 'busy@example.org' }, ...Array.from({ length: 11 }, (_, i) => ({ name: `Other ${i}`, email: `other${i}@example.org` }))];
    const started = Date.now();
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/events/limits/participants', headers: auth, payload: { participants: people } });
    const issued = res.json().participants as Array<{ id: string; email: string; links: { join: Record<string, string> } }>;
    const busy = issued.find((p) => p.email === 'busy@example.org')!;
    const others = people.slice(1).map((p) => p.email).sort();

    await expect.poll(() => approved(webinarId).sort(), { timeout: 5000, interval: 50 }).toEqual(others);
    const elapsedMs = Date.now() - started;
    console.info(`others registered ${elapsedMs} ms after the request; Zoom 429s so far: ${zoom.count429}`);
    expect(elapsedMs).toBeLessThan(5000);
    // The refusal was Zoom's per-registrant one, and it did not pause the queue.
    expect(zoom.calls.filter((c) => c.path.endsWith('/batch_registrants') && c.status === 429)).toHaveLength(1);
    expect(pausedLogs()).toEqual([]);
    expect(await s.deps.queues.get('zoom-registrants').getRateLimitTtl()).toBeLessThan(1500);

    // Held back, with the retry time: Zoom's next reset (00:00 UTC), in the plan and in the provisioning state.
    await expect.poll(registrantOps, { timeout: 5000 }).toEqual([
      expect.objectContaining({ action: 'add', when: expect.stringMatching(/^2030-06-05T00:00/), count: 1, participantIds: [busy.id], reason: expect.stringMatching(/held back/) }),
    ]);
    const [{ when: retryAt }] = (await registrantOps()) as [Operation];
    expect(Date.parse(retryAt) - Date.parse('2030-06-05T00:00:00Z')).toBeLessThan(60_000);
    const heldBack = (await rooms())[0]?.heldBack;
    expect(heldBack).toEqual({ count: 1, participants: [{ id: busy.id, retryAt, reason: expect.stringContaining('daily rate limit of (3)') }] });

    // The retry is queued for the reset: move the clock past it and let the delayed job run now.
    const delayed = await s.deps.queues.get('zoom-registrants').getDelayed();
    expect(delayed.map((j) => j.data.participantIds)).toEqual([[busy.id]]);
    expect(Math.abs(delayed[0]!.timestamp + delayed[0]!.opts.delay! - (Date.now() + Date.parse(retryAt) - clock.now().getTime()))).toBeLessThan(2000);
    clock.set(new Date(Date.parse(retryAt) + 1000));
    await delayed[0]!.promote();

    await expect.poll(() => approved(webinarId).includes('busy@example.org'), { timeout: 5000 }).toBe(true);
    await expect.poll(registrantOps, { timeout: 5000 }).toEqual([]);
    expect((await rooms())[0]?.heldBack).toBeUndefined();
    clock.set('2030-06-05T07:50:00Z');
    const joined = await s.app.inject({ method: 'GET', url: new URL(busy.links.join.c1!).pathname });
    expect(joined.statusCode).toBe(302);
    expect(joined.headers.location).toBe(zoom.state.registrants.get(webinarId)!.find((r) => r.email === 'busy@example.org')!.joinUrl);
    expect(pausedLogs()).toEqual([]);
  });

  it('still pauses the whole queue until Zoom’s reset on an account-level limit, and holds nobody back', async () => {
    zoom = await startZoomServer({ dailyLimits: { heavy: 0 } });
    s = await startStack({ zoom, worker: true, clock: new TestClock('2030-06-04T22:00:00Z', true) });
    const webinarId = await readyWebinar();
    await s.app.inject({ method: 'POST', url: '/api/v1/events/limits/participants', headers: auth, payload: { participants: [{ name: 'A B', email: 'a@example.org' }, { name: 'C D', email: 'c@example.org' }] } });

    await expect.poll(() => pausedLogs().length, { timeout: 5000 }).toBeGreaterThan(0);
    const limited = zoom.calls.filter((c) => c.path.endsWith('/batch_registrants') && c.status === 429);
    expect(limited).toHaveLength(1);
    // Zoom said when its daily budget resets (next 00:00 UTC, real time here): the queue waits that long.
    const now = Date.now();
    const untilReset = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1) - now;
    const ttl = await s.deps.queues.get('zoom-registrants').getRateLimitTtl();
    expect(Math.abs(ttl - untilReset)).toBeLessThan(10_000);
    expect(approved(webinarId)).toEqual([]);
    expect((await rooms())[0]?.heldBack).toBeUndefined();
    // The job went back to wait without spending an attempt.
    const [job] = await s.deps.queues.get('zoom-registrants').getJobs(['wait', 'waiting', 'delayed', 'prioritized', 'active']);
    expect(job?.attemptsMade ?? 0).toBe(0);
    expect((await registrantOps()).map((op) => [op.action, op.when, op.count])).toEqual([['add', 'now', 2]]);
  });

  it('cancels the other removed registrants when Zoom refuses one of them its status changes for today', async () => {
    const clock = new TestClock('2030-06-04T22:00:00Z', true);
    zoom = await startZoomServer({ now: () => clock.now().getTime() });
    s = await startStack({ zoom, worker: true, clock });
    const webinarId = await readyWebinar();
    const people = ['a', 'b', 'c'].map((x) => ({ name: `${x.toUpperCase()} Person`, email: `${x}@example.org` }));
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/events/limits/participants', headers: auth, payload: { participants: people } });
    const [, b, c] = res.json().participants as Array<{ id: string; email: string }>;
    await expect.poll(() => approved(webinarId).length, { timeout: 5000 }).toBe(3);
    // Zoom allows 10 status changes per registrant, webinar and day (t/122482): c has used them up.
    for (let i = 0; i < 10; i += 1) await s.deps.zoom!.client.updateRegistrantStatus(webinarId, 'approve', [{ email: 'c@example.org' }]);

    // Both removals reach one sync, so both cancellations go into one call.
    await s.deps.queues.get('zoom').pause();
    for (const p of [b!, c!]) expect((await s.app.inject({ method: 'DELETE', url: `/api/v1/events/limits/participants/${p.id}`, headers: auth })).statusCode).toBe(204);
    await s.deps.queues.get('zoom').resume();

    const status = (email: string) => zoom!.state.registrants.get(webinarId)!.find((r) => r.email === email)?.status;
    await expect.poll(() => status('b@example.org'), { timeout: 5000 }).toBe('cancelled');
    expect([status('a@example.org'), status('c@example.org')]).toEqual(['approved', 'approved']);
    expect(await registrantOps()).toEqual([expect.objectContaining({ action: 'cancel', count: 1, participantIds: [c!.id] })]);
    expect(pausedLogs()).toEqual([]);
    expect(await s.deps.queues.get('zoom').getRateLimitTtl()).toBeLessThan(1500);
  });
});
