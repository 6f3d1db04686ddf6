import { afterEach, describe, expect, it } from 'vitest';
import { union } from '../../src/domain/attendance.js';
import { createAttendanceService } from '../../src/services/attendance-service.js';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { addParticipants, aroundNow, freePort, joinThrough, listeningStack, put, sleep } from '../helpers/attendance-fixtures.js';
import type { Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';

/**
 * Zoom presence end to end: the simulator sends signed webhooks to our listening API as people join and leave,
 * some of them are lost, the webinar ends, and the reconciliation job reads Zoom's past participants.
 */
const SECRET = 'zoom-webhook-secret-attendance-0123';
let s: (Stack & { base: string }) | undefined;
let zoom: ZoomSimulator | undefined;
afterEach(async () => {
  await s?.close();
  await zoom?.close();
  s = undefined;
  zoom = undefined;
});

async function setUp(id: string) {
  const port = await freePort();
  zoom = await startZoomServer({ webhook: { url: `http://127.0.0.1:${port}/webhooks/zoom`, secretToken: SECRET } });
  s = await listeningStack({ zoom, worker: true, env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET } }, port);
  const w = aroundNow(5, 40);
  const programme = {
    id,
    title: 'Zoom attendance',
    timezone: w.timezone,
    days: [{ date: w.date, kind: 'conference', title: 'Conference', sessions: [{ id: 'c1', title: 'Opening', start: w.start, end: w.end }] }],
  };
  expect((await put(s, programme)).statusCode).toBe(201);
  const roomId = `zoom-${w.date}`;
  const people = await addParticipants(s, id, [
    { name: 'Ἀλέξανδρος Παπαδόπουλος', email: 'alexandros@example.org' },
    { name: '李 Wei', email: 'li@example.org' },
    { name: 'Ñúñez Panel', email: 'panel@example.org', role: 'panelist' },
  ]);
  await expect.poll(async () => (await s!.deps.stores.zoom.allRegistrations(id, roomId)).size, { timeout: 15_000 }).toBe(2);
  await expect.poll(async () => (await s!.deps.stores.zoom.panelistEmails(id, roomId)).size, { timeout: 15_000 }).toBe(1);
  const webinarId = Number((await s.deps.stores.rooms.get(id, roomId))?.webinarId);
  return { people, roomId, webinarId };
}

describe('Zoom attendance', () => {
  it('recovers lost webhooks from past participants, matched by registrant id and, without one, by email', { timeout: 60_000 }, async () => {
    const { people, roomId, webinarId } = await setUp('zoom-att');
    const [alexandros, li, panelist] = people;
    const alexandrosUrl = await joinThrough(s!, alexandros!.links.join.c1!);
    // Li's join is lost on its way to us, and so is the panelist's (panelists have no registrant id anyway).
    zoom!.faults.dropWebhooks = 1;
    await joinThrough(s!, li!.links.join.c1!);
    await joinThrough(s!, panelist!.links.join.c1!);
    await sleep(1200);
    const left = await fetch(`${alexandrosUrl.replace(/\/w\/(\d+)\?tk=/, '/w/$1/leave?tk=')}`, { method: 'POST' });
    expect(left.status).toBe(200);
    await sleep(1200);
    await joinThrough(s!, alexandros!.links.join.c1!);
    await sleep(1200);
    expect(zoom!.endWebinar(webinarId)).toBe(true);
    await zoom!.webhooksSettled();
    expect(zoom!.webhookDeliveries.filter((d) => d.dropped)).toHaveLength(1);

    // From webhooks alone: Alexandros's two stays, and of Li only the leave at the end.
    const before = await s!.deps.attendance.registrantsAttendance('zoom-att', roomId);
    expect(before.map((r) => r.sessions.map((x) => Object.keys(x).sort().join('+')))).toEqual(
      expect.arrayContaining([['joinedAt+leftAt', 'joinedAt+leftAt'], ['leftAt']]),
    );
    expect(await s!.deps.stores.attendance.webinarTimes('zoom-att', roomId)).toMatchObject({ startedAt: expect.any(String), endedAt: expect.any(String) });

    // `webinar.ended` queued a reconciliation for a few minutes later; one now does the same work.
    await s!.deps.queues.enqueue('attendance.zoom-reconcile', { eventId: 'zoom-att', roomId, reason: 'ended', due: 1 }, { jobId: 'test-reconcile' });
    await expect.poll(async () => (await s!.deps.stores.presence.zoomPast('zoom-att', roomId)).size, { timeout: 15_000 }).toBe(3);
    const past = await s!.deps.stores.presence.zoomPast('zoom-att', roomId);
    expect(union(past.get(alexandros!.id) ?? [])).toHaveLength(2);
    expect(union(past.get(li!.id) ?? [])).toHaveLength(1);
    expect(union(past.get(panelist!.id) ?? [])).toHaveLength(1);
    const listCalls = zoom!.calls.filter((c) => c.path === `/v2/past_webinars/${webinarId}/participants`);
    expect(listCalls.map((c) => c.status)).toEqual([200]);

    // The report joins both sources: webhook stays and Zoom's list count once.
    const event = await s!.deps.stores.events.get('zoom-att');
    const presence = await s!.app.inject({ method: 'GET', url: '/api/v1/events/zoom-att/attendance', headers: auth });
    expect(presence.statusCode).toBe(200);
    expect(presence.json().participants.map((p: { id: string }) => p.id).sort()).toEqual(people.map((p) => p.id).sort());
    const intervals = (await createAttendanceService({
      events: s!.deps.stores.events,
      participants: s!.deps.participantStore,
      presence: s!.deps.stores.presence,
      webhooks: s!.deps.stores.attendance,
      zoom: s!.deps.stores.zoom,
      certificates: s!.deps.stores.certificates,
      anonymous: s!.deps.stores.anonymousAttendance,
      clock: s!.deps.clock,
      publicBaseUrl: s!.base,
    }).presence(event!)).get(alexandros!.id)?.get(roomId);
    expect(union(intervals ?? [])).toHaveLength(2);
  });

  it('reads a fresh start_url for the host every time, never a stored one', { timeout: 60_000 }, async () => {
    const { roomId, webinarId } = await setUp('zoom-host');
    const link = async () => s!.app.inject({ method: 'POST', url: `/api/v1/events/zoom-host/rooms/${roomId}/host-link`, headers: auth });
    const first = await link();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ url: zoom!.state.webinars.get(webinarId)!.startUrl, expiresAt: expect.any(String) });
    expect(Date.parse(first.json().expiresAt) - Date.now()).toBeGreaterThan(110 * 60_000);
    zoom!.state.webinars.get(webinarId)!.startUrl = `${zoom!.origin}/s/${webinarId}?zak=rotated`;
    expect((await link()).json().url).toBe(`${zoom!.origin}/s/${webinarId}?zak=rotated`);
    expect((await s!.app.inject({ method: 'POST', url: '/api/v1/events/zoom-host/rooms/zoom-1999-01-01/host-link', headers: auth })).statusCode).toBe(404);
    expect((await s!.app.inject({ method: 'POST', url: `/api/v1/events/zoom-host/rooms/${roomId}/host-link` })).statusCode).toBe(401);
  });
});
