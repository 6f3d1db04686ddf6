import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newVerificationCode } from '../../src/domain/certificate.js';
import { scanKeys } from '../../src/store/redis.js';
import { minutes } from '../helpers/attendance-fixtures.js';
import { auth, createTestApp, type TestApp } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';
import { postParticipantNotification } from '../helpers/zoom-notification.js';

/**
 * Erasure and attendance: a participant seen by every source (BigBlueButton's callback and polls, Zoom's
 * notifications and past-participants list) with a certificate is erased; the report keeps its totals but nothing
 * names them, their certificate stops verifying. A plain removal leaves the stored attendance alone.
 */
const SECRET = 'zoom-webhook-secret-erasure-0123456789';
const EVENT = 'erase';
const BBB = 'bbb-2030-06-03';
const ZOOM = 'zoom-2030-06-04';
const WEBINAR_ID = '87654321012';
// Vienna is UTC+2 in June: s1 09:00–10:00 = 07:00–08:00Z, s2 10:30–11:30 = 08:30–09:30Z, c1 10:00–11:00 = 08:00–09:00Z.
const S1 = Date.parse('2030-06-03T07:00:00Z');
const S2 = Date.parse('2030-06-03T08:30:00Z');
const C1 = Date.parse('2030-06-04T08:00:00Z');
const programme = {
  id: EVENT,
  title: 'Erasure academy',
  timezone: 'Europe/Vienna',
  certificate: { minimumPercent: 50 },
  days: [
    {
      date: '2030-06-03',
      kind: 'academy',
      title: 'Academy day',
      sessions: [
        { id: 's1', title: 'Opening', start: '09:00', end: '10:00' },
        { id: 's2', title: 'Workshop', start: '10:30', end: '11:30' },
      ],
    },
    { date: '2030-06-04', kind: 'conference', title: 'Conference', sessions: [{ id: 'c1', title: 'Panel', start: '10:00', end: '11:00' }] },
  ],
};

let t: TestApp;
type Person = { id: string; email: string; links: { page: string } };
let erin: Person;
let ana: Person;
let rolf: Person;
const codes = new Map<string, string>();

const get = (url: string, headers: Record<string, string> = auth) => t.app.inject({ method: 'GET', url, headers });
const report = async () => {
  const res = await get(`/api/v1/events/${EVENT}/attendance`);
  expect(res.statusCode).toBe(200);
  return res.json();
};
const csv = async () => (await get(`/api/v1/events/${EVENT}/attendance`, { ...auth, accept: 'text/csv' })).body;
const remove = (id: string, erase?: boolean) =>
  t.app.inject({ method: 'DELETE', url: `/api/v1/events/${EVENT}/participants/${id}${erase === undefined ? '' : `?erase=${erase}`}`, headers: auth });

const zoomNotification = (kind: 'joined' | 'left', at: string) =>
  postParticipantNotification(t.app, SECRET, { webinarId: WEBINAR_ID, kind, registrantId: 'reg-erin', name: 'Erin Example', email: 'erin@example.org', at });

/** Every value of the attendance and certificate keys, as text: what must not name an erased person. */
async function attendanceData(): Promise<string> {
  const found = [
    ...(await scanKeys(t.deps.redis, `${t.prefix}:event:${EVENT}:attendance:*`)),
    ...(await scanKeys(t.deps.redis, `${t.prefix}:certificate:*`)),
    `${t.prefix}:event:${EVENT}:certificates`,
    `${t.prefix}:event:${EVENT}:anonymous-attendance`,
  ];
  const parts: string[] = [];
  for (const key of found) {
    const type = await t.deps.redis.type(key);
    if (type === 'hash') parts.push(key, JSON.stringify(await t.deps.redis.hgetall(key)));
    else if (type === 'string') parts.push(key, String(await t.deps.redis.get(key)));
    else if (type === 'zset') parts.push(key, JSON.stringify(await t.deps.redis.zrange(key, 0, -1)));
  }
  return parts.join('\n');
}

beforeAll(async () => {
  t = await createTestApp({ config: testConfig({ ZOOM_WEBHOOK_SECRET_TOKEN: SECRET }) });
  expect((await t.app.inject({ method: 'PUT', url: `/api/v1/events/${EVENT}`, headers: auth, payload: programme })).statusCode).toBe(201);
  const added = await t.app.inject({
    method: 'POST',
    url: `/api/v1/events/${EVENT}/participants`,
    headers: auth,
    payload: {
      notify: false,
      participants: [
        { name: 'Erin Example', email: 'erin@example.org' },
        { name: 'Ana Keeps', email: 'ana@example.org' },
        { name: 'Rolf Removed', email: 'rolf@example.org' },
      ],
    },
  });
  [erin, ana, rolf] = added.json().participants as [Person, Person, Person];
  const { presence, certificates, zoom, attendance } = t.deps.stores;
  // BigBlueButton's callback for the first meeting; a second meeting only polled, with Erin in it for 30 minutes.
  await presence.saveExact(
    EVENT,
    BBB,
    'meeting-1',
    new Map([
      [erin.id, [{ start: S1, end: S1 + minutes(60) }]],
      [ana.id, [{ start: S1, end: S1 + minutes(30) }]],
      [rolf.id, [{ start: S1, end: S2 + minutes(60) }]],
    ]),
    new Date(),
  );
  await presence.recordPoll(EVENT, BBB, 'meeting-2', S2, [erin.id], minutes(31));
  await presence.recordPoll(EVENT, BBB, 'meeting-2', S2 + minutes(30), [erin.id], minutes(31));
  // Zoom: Erin's registration ties her registrant id to her; her stays come from notifications and Zoom's list.
  await attendance.linkWebinar(WEBINAR_ID, { eventId: EVENT, roomId: ZOOM });
  await zoom.saveRegistrations(EVENT, ZOOM, new Map([[erin.id, { registrantId: 'reg-erin', joinUrl: 'https://zoom.example/w/1?tk=secret', email: 'erin@example.org' }]]));
  expect((await zoomNotification('joined', '2030-06-04T08:00:00Z')).json()).toEqual({ status: 'recorded' });
  expect((await zoomNotification('left', '2030-06-04T08:45:00Z')).json()).toEqual({ status: 'recorded' });
  await presence.saveZoomPast(
    EVENT,
    ZOOM,
    new Map([
      [erin.id, [{ start: C1 + minutes(40), end: C1 + minutes(60) }]],
      [rolf.id, [{ start: C1, end: C1 + minutes(30) }]],
    ]),
  );
  for (const p of [erin, rolf]) codes.set(p.id, (await certificates.issue(EVENT, p.id, 150, newVerificationCode(), new Date())).record.code);
});
afterAll(async () => {
  await t?.close();
});

// s1: Erin 60, Ana 30, Rolf 60; s2: Erin 30, Rolf 60; c1: Erin 60 (notifications and Zoom's list overlap), Rolf 30.
const TOTALS = {
  attendees: 3,
  minutes: 330,
  days: [
    { date: '2030-06-03', attendees: 3, minutes: 240 },
    { date: '2030-06-04', attendees: 2, minutes: 90 },
  ],
  sessions: [
    { id: 's1', attendees: 3, minutes: 150 },
    { id: 's2', attendees: 2, minutes: 90 },
    { id: 'c1', attendees: 2, minutes: 90 },
  ],
};

describe('erasing a participant who attended', () => {
  it('exports their attendance from every source and their certificate while they are stored', async () => {
    const res = await get(`/api/v1/events/${EVENT}/participants/${erin.id}/export`);
    expect(res.statusCode).toBe(200);
    const { attendance } = res.json();
    expect(attendance).toMatchObject({
      minutes: 150,
      days: [{ date: '2030-06-03', minutes: 90 }, { date: '2030-06-04', minutes: 60 }],
      sessions: [{ id: 's1', minutes: 60 }, { id: 's2', minutes: 30 }, { id: 'c1', minutes: 60 }],
      zoomWebinar: [{ roomId: ZOOM, registrantId: 'reg-erin', name: 'Erin Example', email: 'erin@example.org', stays: [{ joinedAt: '2030-06-04T08:00:00.000Z', leftAt: '2030-06-04T08:45:00.000Z' }] }],
      certificate: { code: codes.get(erin.id), minutes: 150, url: `http://links.test/verify/${codes.get(erin.id)}` },
    });
    expect(attendance.presence).toEqual([
      { roomId: BBB, source: 'bbb-callback', meetingId: 'meeting-1', intervals: [{ start: '2030-06-03T07:00:00.000Z', end: '2030-06-03T08:00:00.000Z' }] },
      { roomId: BBB, source: 'bbb-polls', meetingId: 'meeting-2', intervals: [{ start: '2030-06-03T08:30:00.000Z', end: '2030-06-03T09:00:00.000Z' }] },
      { roomId: ZOOM, source: 'zoom-past-participants', intervals: [{ start: '2030-06-04T08:40:00.000Z', end: '2030-06-04T09:00:00.000Z' }] },
    ]);
    // Ana has presence but no certificate or Zoom record; her export says only what is stored.
    const anas = (await get(`/api/v1/events/${EVENT}/participants/${ana.id}/export`)).json().attendance;
    expect(anas).toMatchObject({ minutes: 30, zoomWebinar: [] });
    expect(anas.certificate).toBeUndefined();
  });

  it('keeps the report’s anonymous totals while no row, record or key names them, and their certificate stops verifying', async () => {
    const before = await report();
    expect(before.totals).toEqual(TOTALS);
    expect(before.participants.find((p: { id: string }) => p.id === erin.id)).toMatchObject({ name: 'Erin Example', minutes: 150 });
    const code = codes.get(erin.id)!;
    const verified = await get(`/verify/${code}`, {});
    expect(verified.statusCode).toBe(200);
    expect(verified.body).toContain('Erin Example');
    const stored = await attendanceData();
    for (const mark of [erin.id, 'reg-erin', 'Erin Example', 'erin@example.org', code]) expect(stored).toContain(mark);

    expect((await remove(erin.id, true)).statusCode).toBe(204);

    const after = await report();
    expect(after.totals).toEqual(TOTALS);
    expect(after.participants.map((p: { id: string }) => p.id).sort()).toEqual([ana.id, rolf.id].sort());
    // The others' rows are untouched.
    expect(after.participants).toEqual(before.participants.filter((p: { id: string }) => p.id !== erin.id));
    const identifying = [erin.id, 'reg-erin', 'Erin Example', 'erin@example.org', code];
    const json = JSON.stringify(after);
    const text = await csv();
    for (const mark of identifying) {
      expect(json).not.toContain(mark);
      expect(text).not.toContain(mark);
    }
    expect(text).toContain('Ana Keeps');
    expect((await get(`/verify/${code}`, {})).statusCode).toBe(404);
    expect((await get(`/api/v1/events/${EVENT}/participants/${erin.id}/export`)).statusCode).toBe(404);
    const left = await attendanceData();
    for (const mark of identifying) expect(left).not.toContain(mark);
    // The others' records are still there.
    expect(left).toContain(ana.id);
    expect(left).toContain(rolf.id);
    // Nothing is left to erase.
    expect((await remove(erin.id, true)).statusCode).toBe(404);
  });
});

describe('removing a participant without erasure', () => {
  it('keeps their stored attendance as before; erasing them later removes the records, not the counts', async () => {
    const records = await t.deps.stores.presence.recordsOf(EVENT, rolf.id);
    expect(records.map((r) => r.source)).toEqual(['bbb-callback', 'zoom-past-participants']);
    const anonymous = await t.deps.stores.anonymousAttendance.get(EVENT);
    const code = codes.get(rolf.id)!;

    expect((await remove(rolf.id, false)).statusCode).toBe(204);

    // As before: the row goes with the participant, and with it their part of the totals, which only erasure keeps.
    const after = await report();
    expect(after.participants.map((p: { id: string }) => p.id)).toEqual([ana.id]);
    expect(after.totals).toMatchObject({ attendees: 2, minutes: 180, sessions: [{ id: 's1', attendees: 2, minutes: 90 }, { id: 's2', attendees: 1, minutes: 30 }, { id: 'c1', attendees: 1, minutes: 60 }] });
    // Their presence records stay exactly as stored, and nothing moved into the anonymous counts.
    expect(await t.deps.stores.presence.recordsOf(EVENT, rolf.id)).toEqual(records);
    expect(await t.deps.stores.anonymousAttendance.get(EVENT)).toEqual(anonymous);
    expect((await get(`/verify/${code}`, {})).statusCode).toBe(404);

    expect((await remove(rolf.id, true)).statusCode).toBe(204);
    expect(await t.deps.stores.presence.recordsOf(EVENT, rolf.id)).toEqual([]);
    expect((await report()).totals).toEqual(after.totals);
    expect(await attendanceData()).not.toContain(rolf.id);
  });
});
