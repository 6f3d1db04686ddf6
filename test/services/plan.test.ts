import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../src/workers/job-runner.js';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { auth } from '../helpers/test-app.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';

const programme = (conferenceTitle = 'Conference') => ({
  id: 'plan',
  title: 'Plan test',
  timezone: 'Europe/Vienna',
  days: [
    { date: '2030-06-04', kind: 'academy', title: 'Academy', sessions: [{ id: 'a1', title: 'A', start: '09:00', end: '10:00' }] },
    {
      date: '2030-06-05',
      kind: 'conference',
      title: conferenceTitle,
      sessions: [{ id: 'c1', title: 'C', start: '10:00', end: '11:00' }],
      interpretation: { languages: ['en', 'de'], interpreters: [{ email: 'de@i.example', from: 'en', to: 'de' }] },
    },
  ],
});

let s: Stack;
let zoom: ZoomSimulator;
let worker: RunningWorker | undefined;
beforeAll(async () => {
  zoom = await startZoomServer();
  s = await startStack({ zoom, clock: new TestClock('2030-06-01T00:00:00Z', true) });
});
afterAll(async () => {
  await worker?.close();
  await s.close();
  await zoom.close();
});

const plan = async () => {
  const res = await s.app.inject({ method: 'GET', url: '/api/v1/events/plan/plan', headers: auth });
  expect(res.statusCode).toBe(200);
  return res.json() as { version: number; operations: Array<Record<string, unknown>>; unchanged: string[] };
};

describe('GET /api/v1/events/:eventId/plan', () => {
  it('lists what provisioning would do, performs nothing, and follows changes', async () => {
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/events/nope/plan', headers: auth })).statusCode).toBe(404);
    await s.app.inject({ method: 'PUT', url: '/api/v1/events/plan', headers: auth, payload: programme() });
    const added = await s.app.inject({
      method: 'POST',
      url: '/api/v1/events/plan/participants',
      headers: auth,
      payload: { participants: [{ name: 'A B', email: 'a@x.example' }, { name: 'C D', email: 'c@x.example' }, { name: 'P Q', email: 'p@x.example', role: 'panelist' }] },
    });
    const first = await plan();
    expect(first.operations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'create', target: 'bbb-room', roomId: 'bbb-2030-06-04', when: '2030-06-04T06:50:00.000Z' }),
        expect.objectContaining({ action: 'create', target: 'zoom-webinar', roomId: 'zoom-2030-06-05', when: 'now' }),
        expect.objectContaining({ action: 'add', target: 'zoom-registrants', count: 2 }),
        expect.objectContaining({ action: 'add', target: 'zoom-panelists', count: 1 }),
      ]),
    );
    expect(zoom.calls.filter((c) => c.path.startsWith('/v2/'))).toHaveLength(0);

    worker = await s.startWorker();
    await expect.poll(async () => (await plan()).operations.filter((o) => String(o.target).startsWith('zoom')), { timeout: 10_000 }).toEqual([]);
    expect((await plan()).unchanged).toContain('zoom-2030-06-05');

    await worker.close();
    worker = undefined;
    await s.app.inject({ method: 'PUT', url: '/api/v1/events/plan', headers: auth, payload: programme('Conference (moved)') });
    const ids = added.json().participants.map((p: { id: string }) => p.id);
    await s.app.inject({ method: 'DELETE', url: `/api/v1/events/plan/participants/${ids[0]}`, headers: auth });
    const changed = await plan();
    expect(changed.operations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'update', target: 'zoom-webinar', roomId: 'zoom-2030-06-05' }),
        expect.objectContaining({ action: 'cancel', target: 'zoom-registrants', count: 1, participantIds: [ids[0]] }),
      ]),
    );
  });
});
