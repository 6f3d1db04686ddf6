import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { keySpace } from '../../src/store/redis.js';
import { createZoomStore } from '../../src/store/zoom-store.js';
import { deleteKeys, uniquePrefix } from '../helpers/redis-keys.js';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { auth } from '../helpers/test-app.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';

// Three conference days, so three webinars: each registers every attendee on its own.
const DATES = ['2030-06-05', '2030-06-06', '2030-06-07'];
const programme = {
  id: 'multi',
  title: 'Three-day conference',
  timezone: 'Europe/Vienna',
  days: DATES.map((date, i) => ({
    date,
    kind: 'conference',
    title: `Conference day ${i + 1}`,
    sessions: [{ id: `c${i + 1}`, title: `Day ${i + 1}`, start: '10:00', end: '11:00' }],
  })),
};

let s: Stack | undefined;
let zoom: ZoomSimulator | undefined;
afterEach(async () => {
  await s?.close();
  await zoom?.close();
  s = undefined;
  zoom = undefined;
});

type Room = { id: string; status: string; webinarId?: string };
const rooms = async () => (await s!.app.inject({ method: 'GET', url: '/api/v1/events/multi/provisioning', headers: auth })).json().rooms as Room[];
const plan = async () =>
  (await s!.app.inject({ method: 'GET', url: '/api/v1/events/multi/plan', headers: auth })).json().operations as Array<{ action: string; target: string; roomId: string }>;

describe('a conference of several days', () => {
  it('registers every participant for every day’s webinar and sends each to their own link per day', async () => {
    zoom = await startZoomServer();
    const clock = new TestClock('2030-06-05T07:50:00Z', true);
    s = await startStack({ zoom, worker: true, clock });
    await s.app.inject({ method: 'PUT', url: '/api/v1/events/multi', headers: auth, payload: programme });
    await expect.poll(async () => (await rooms()).map((r) => r.status), { timeout: 10_000 }).toEqual(['ready', 'ready', 'ready']);

    const people = Array.from({ length: 5 }, (_, i) => ({ name: `Person ${i}`, email: `person${i}@example.org` }));
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/events/multi/participants', headers: auth, payload: { participants: people } });
    expect(res.statusCode).toBe(201);
    const issued = res.json().participants as Array<{ email: string; links: { join: Record<string, string> } }>;

    const webinarIds = (await rooms()).map((r) => Number(r.webinarId));
    expect(new Set(webinarIds).size).toBe(3);
    const approvedEmails = (id: number) => (zoom!.state.registrants.get(id) ?? []).filter((r) => r.status === 'approved').map((r) => r.email).sort();
    await expect
      .poll(() => webinarIds.map(approvedEmails), { timeout: 10_000 })
      .toEqual(webinarIds.map(() => people.map((p) => p.email).sort()));

    await expect.poll(async () => (await plan()).filter((op) => op.target === 'zoom-registrants'), { timeout: 5000 }).toEqual([]);

    for (const [day, webinarId] of webinarIds.entries()) {
      const sessionId = `c${day + 1}`;
      // Inside that day's join window (sessions at 10:00 Vienna = 08:00Z).
      clock.set(`${DATES[day]}T07:50:00Z`);
      const registrants = zoom.state.registrants.get(webinarId) ?? [];
      for (const person of issued) {
        const join = await s.app.inject({ method: 'GET', url: new URL(person.links.join[sessionId]!).pathname });
        expect(join.statusCode, `${person.email} on day ${day + 1}`).toBe(302);
        expect(join.headers.location).toBe(registrants.find((r) => r.email === person.email)?.joinUrl);
      }
    }
    // One add per person and webinar: nobody spent more of Zoom's three daily adds than needed.
    expect(zoom.calls.filter((c) => c.path.endsWith('/batch_registrants') && c.status === 201)).toHaveLength(3);
  });
});

describe('registrant sync generations', () => {
  it('count per webinar, continue above the event-wide counter of earlier versions, and survive a cleared room', async () => {
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    const prefix = uniquePrefix('zoom-seq');
    try {
      const store = createZoomStore(redis, keySpace(prefix));
      // What an earlier version left: one counter for the whole event, whose values named its sync jobs.
      await redis.set(`${prefix}:zoom:ev:seq`, '7');
      expect(await store.currentSeq('ev', 'zoom-a')).toBe(7);
      expect(await store.nextSeq('ev', 'zoom-a')).toBe(8);
      expect(await store.nextSeq('ev', 'zoom-b')).toBe(8);
      expect(await store.nextSeq('ev', 'zoom-a')).toBe(9);
      // Planning one webinar does not supersede the other's sync.
      expect([await store.currentSeq('ev', 'zoom-a'), await store.currentSeq('ev', 'zoom-b')]).toEqual([9, 8]);
      await store.clear('ev', 'zoom-a');
      expect(await store.nextSeq('ev', 'zoom-a')).toBe(10);
    } finally {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });
});
