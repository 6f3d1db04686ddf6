import { afterEach, describe, expect, it } from 'vitest';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { auth } from '../helpers/test-app.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';

// The simulator refuses time zones that are not on Zoom's list, as Zoom does.
const conference = (timezone: string) => ({
  id: 'tz-conf',
  title: 'Conference 2030',
  timezone,
  days: [{ date: '2030-06-05', kind: 'conference', title: 'Conference', sessions: [{ id: 'c1', title: 'Opening', start: '10:00', end: '11:00' }] }],
});

let s: Stack | undefined;
let zoom: ZoomSimulator | undefined;
afterEach(async () => {
  await s?.close();
  await zoom?.close();
  s = undefined;
  zoom = undefined;
});

async function provision(timezone: string) {
  zoom = await startZoomServer();
  s = await startStack({ zoom, worker: true, clock: new TestClock('2030-06-01T00:00:00Z', true) });
  const put = await s.app.inject({ method: 'PUT', url: '/api/v1/events/tz-conf', headers: auth, payload: conference(timezone) });
  expect(put.statusCode).toBe(201);
  const rooms = async () =>
    (await s!.app.inject({ method: 'GET', url: '/api/v1/events/tz-conf/provisioning', headers: auth })).json().rooms as Array<Record<string, unknown>>;
  await expect.poll(async () => (await rooms())[0]?.status, { timeout: 8000 }).toMatch(/ready|failed/);
  const [room] = await rooms();
  return { room, webinar: zoom.state.webinars.get(Number(room?.webinarId)) };
}

describe('Zoom webinars for programmes in zones Zoom does not list', () => {
  it('creates the webinar of a Europe/Kyiv programme under Zoom\'s name for it, Europe/Kiev', async () => {
    const { room, webinar } = await provision('Europe/Kyiv');
    expect(room).toMatchObject({ status: 'ready', webinarId: expect.any(String) });
    // 10:00 in Kyiv in June is 07:00Z (EEST, +03:00).
    expect(webinar).toMatchObject({ timezone: 'Europe/Kiev', startTime: '2030-06-05T07:00:00Z', duration: 60 });
    expect(webinar?.agenda).toContain('(times in Europe/Kyiv)');
  });

  it('leaves the time zone out when no listed zone has the same offsets (Asia/Yangon, +06:30)', async () => {
    const { room, webinar } = await provision('Asia/Yangon');
    expect(room).toMatchObject({ status: 'ready' });
    expect(webinar?.startTime).toBe('2030-06-05T03:30:00Z');
    expect(webinar).not.toHaveProperty('timezone');
  });
});
