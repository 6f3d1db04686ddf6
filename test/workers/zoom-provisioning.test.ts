import { afterEach, describe, expect, it } from 'vitest';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { auth } from '../helpers/test-app.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';

// 2030-06-05 10:00 Vienna = 08:00Z
const conference = (extra: Record<string, unknown> = {}, sessions = [{ id: 'c1', title: 'Opening', start: '10:00', end: '11:00' }, { id: 'c2', title: 'Panel', start: '11:30', end: '12:30' }]) => ({
  id: 'conf',
  title: 'Conference 2030',
  timezone: 'Europe/Vienna',
  days: [
    {
      date: '2030-06-05',
      kind: 'conference',
      title: 'Conference',
      sessions,
      interpretation: {
        languages: ['en', 'de', 'fr', 'es'],
        interpreters: [
          { email: 'de@interpreters.example', from: 'en', to: 'de' },
          { email: 'fr@interpreters.example', from: 'en', to: 'fr' },
          { email: 'es@interpreters.example', from: 'en', to: 'es' },
        ],
      },
      ...extra,
    },
  ],
});

let s: Stack | undefined;
let zoom: ZoomSimulator | undefined;
afterEach(async () => {
  await s?.close();
  await zoom?.close();
  s = undefined;
  zoom = undefined;
});

const put = (programme: unknown) => s!.app.inject({ method: 'PUT', url: '/api/v1/events/conf', headers: auth, payload: programme as object });
const rooms = async () =>
  (await s!.app.inject({ method: 'GET', url: '/api/v1/events/conf/provisioning', headers: auth })).json().rooms as Array<Record<string, unknown>>;
const webinarCalls = (method: string) => zoom!.calls.filter((c) => c.method === method && /^\/v2\/(users\/[^/]+\/)?webinars(\/\d+)?$/.test(c.path) && c.status < 300);

describe('Zoom webinar provisioning', () => {
  it('creates the webinar with registration and interpretation, and reports it ready', async () => {
    zoom = await startZoomServer();
    s = await startStack({ zoom, worker: true, clock: new TestClock('2030-06-01T00:00:00Z', true) });
    await put(conference());
    await expect.poll(async () => (await rooms())[0]?.status, { timeout: 8000 }).toBe('ready');
    const [room] = await rooms();
    expect(room).toMatchObject({ id: 'zoom-2030-06-05', provider: 'zoom', languages: ['en', 'de', 'fr', 'es'], webinarId: expect.any(String) });
    const webinar = zoom.state.webinars.get(Number(room!.webinarId));
    expect(webinar).toMatchObject({ type: 5, topic: 'Conference 2030 – Conference', timezone: 'Europe/Vienna', duration: 150, startTime: '2030-06-05T08:00:00Z' });
    expect(webinar?.settings.approval_type).toBe(0);
    expect(webinar?.settings.language_interpretation).toEqual({
      enable: true,
      interpreters: [
        { email: 'de@interpreters.example', interpreter_languages: 'English,German' },
        { email: 'fr@interpreters.example', interpreter_languages: 'English,French' },
        { email: 'es@interpreters.example', interpreter_languages: 'English,Spanish' },
      ],
    });
  });

  it('fails loudly when the account silently drops interpretation', async () => {
    zoom = await startZoomServer({ dropInterpretation: true });
    s = await startStack({ zoom, worker: true, clock: new TestClock('2030-06-01T00:00:00Z', true) });
    await put(conference());
    await expect.poll(async () => (await rooms())[0]?.status, { timeout: 8000 }).toBe('failed');
    expect((await rooms())[0]?.error).toMatch(/interpretation/);
  });

  it('updates instead of re-creating, skips unchanged programmes, and deletes a removed conference day', async () => {
    zoom = await startZoomServer();
    s = await startStack({ zoom, worker: true, clock: new TestClock('2030-06-01T00:00:00Z', true) });
    await put(conference());
    await expect.poll(async () => (await rooms())[0]?.status, { timeout: 8000 }).toBe('ready');
    await put(conference());
    await put(conference({ title: 'Conference (renamed)' }));
    await expect.poll(() => webinarCalls('PATCH').length, { timeout: 8000 }).toBe(1);
    // Once the webinar queue has no webinar job left to run, no further write can come (the attendance
    // reconciliation waiting for the webinar's end reads only).
    const idle = async () => (await s!.deps.queues.get('zoom').getJobs(['waiting', 'active', 'delayed', 'prioritized'])).every((job) => !job.name.startsWith('zoom.'));
    await expect.poll(idle, { timeout: 8000 }).toBe(true);
    expect(webinarCalls('POST')).toHaveLength(1);
    expect(webinarCalls('PATCH')).toHaveLength(1);
    const id = Number((await rooms())[0]!.webinarId);
    expect(zoom.state.webinars.get(id)?.topic).toBe('Conference 2030 – Conference (renamed)');

    await put({ ...conference(), days: [{ date: '2030-06-04', kind: 'academy', title: 'Academy', sessions: [{ id: 'a1', title: 'A', start: '09:00', end: '10:00' }] }] });
    await expect.poll(() => zoom!.state.webinars.has(id), { timeout: 8000 }).toBe(false);
    await expect.poll(async () => (await rooms()).map((r) => r.id), { timeout: 5000 }).toEqual(['bbb-2030-06-04']);
  });

  it('does not create a second webinar when the create response was lost', async () => {
    zoom = await startZoomServer();
    zoom.faults.failNext(1, 'lostResponse');
    s = await startStack({ zoom, worker: true, clock: new TestClock('2030-06-01T00:00:00Z', true) });
    await put(conference());
    await expect.poll(async () => (await rooms())[0]?.status, { timeout: 15_000, interval: 250 }).toBe('ready');
    expect(zoom.state.webinars.size).toBe(1);
  });
});

describe('registrants, panelists and joins', () => {
  it('registers attendees once, adds panelists, redirects each to their own link, cancels revoked ones', async () => {
    zoom = await startZoomServer();
    const clock = new TestClock('2030-06-05T07:50:00Z', true);
    s = await startStack({ zoom, worker: true, clock });
    await put(conference());
    await expect.poll(async () => (await rooms())[0]?.status, { timeout: 8000 }).toBe('ready');
    const people = [
      { name: 'Ada Attendee', email: 'ada@example.org' },
      { name: 'Bo Attendee', email: 'bo@example.org' },
      { name: 'Pia Panelist', email: 'pia@example.org', role: 'panelist' },
    ];
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/events/conf/participants', headers: auth, payload: { participants: people } });
    const issued = res.json().participants as Array<{ id: string; email: string; links: { join: Record<string, string> } }>;
    const webinarId = Number((await rooms())[0]!.webinarId);
    await expect.poll(() => zoom!.state.registrants.get(webinarId)?.length ?? 0, { timeout: 8000 }).toBe(2);
    await expect.poll(() => zoom!.state.panelists.get(webinarId)?.length ?? 0, { timeout: 8000 }).toBe(1);

    const join = (email: string) => s!.app.inject({ method: 'GET', url: new URL(issued.find((p) => p.email === email)!.links.join.c1!).pathname });
    await expect.poll(async () => (await join('ada@example.org')).statusCode, { timeout: 8000 }).toBe(302);
    const ada = await join('ada@example.org');
    const adaReg = zoom.state.registrants.get(webinarId)!.find((r) => r.email === 'ada@example.org');
    expect(ada.headers.location).toBe(adaReg?.joinUrl);
    const webinar = zoom.state.webinars.get(webinarId)!;
    expect(ada.headers.location).not.toBe(webinar.joinUrl);
    expect(ada.headers.location).not.toBe(webinar.startUrl);
    await expect.poll(async () => (await join('pia@example.org')).statusCode, { timeout: 8000 }).toBe(302);
    expect((await join('pia@example.org')).headers.location).toBe(zoom.state.panelists.get(webinarId)![0]!.joinUrl);

    // Registration happened once per person, in one batch.
    expect(zoom.calls.filter((c) => c.path.endsWith('/batch_registrants') && c.status === 201)).toHaveLength(1);

    const bo = issued.find((p) => p.email === 'bo@example.org')!;
    expect((await s.app.inject({ method: 'DELETE', url: `/api/v1/events/conf/participants/${bo.id}`, headers: auth })).statusCode).toBe(204);
    await expect.poll(() => zoom!.state.registrants.get(webinarId)!.find((r) => r.email === 'bo@example.org')?.status, { timeout: 8000 }).toBe('cancelled');

    clock.set('2030-06-05T09:00:01Z');
    const closed = await join('ada@example.org');
    expect(closed.statusCode).toBe(410);
  });

  it('shows a page that refreshes while the registration is still pending', async () => {
    zoom = await startZoomServer();
    const clock = new TestClock('2030-06-05T07:50:00Z', true);
    s = await startStack({ zoom, clock });
    await put(conference());
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/events/conf/participants', headers: auth, payload: { participants: [{ name: 'Ada', email: 'ada@example.org' }] } });
    const page = await s.app.inject({ method: 'GET', url: new URL(res.json().participants[0].links.join.c1).pathname });
    expect(page.statusCode).toBe(409);
    expect(page.body).toMatch(/http-equiv="refresh"/);
    expect(page.body).toMatch(/being processed|still being/);
  });
});
