import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { analyticsPayload } from '../../simulators/bbb/analytics-callback.js';
import { union, type Interval } from '../../src/domain/attendance.js';
import { attendancePollBbb } from '../../src/workers/processors/attendance-poll-bbb.js';
import { startBbbServer, TEST_BBB_SECRET, type BbbSimulator } from '../fakes/bbb-server.js';
import { addParticipants, aroundNow, joinThrough, listeningStack, put, sleep } from '../helpers/attendance-fixtures.js';
import type { Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';

/**
 * BigBlueButton presence end to end on real Redis and over real HTTP: the worker polls the simulator's
 * getMeetingInfo, and the simulator POSTs its analytics callback to our listening API when the meeting ends.
 */
let s: (Stack & { base: string }) | undefined;
let bbb: BbbSimulator | undefined;
afterEach(async () => {
  await s?.close();
  await bbb?.close();
  s = undefined;
  bbb = undefined;
});

function programme(id: string) {
  const w = aroundNow(5, 40);
  return { id, title: 'Attendance test', timezone: w.timezone, days: [{ date: w.date, kind: 'academy', title: 'Day', sessions: [{ id: 's1', title: 'Session', start: w.start, end: w.end }] }] };
}

async function setUp(id: string) {
  bbb = await startBbbServer({ lastUserLeftExpiryMs: 0 });
  s = await listeningStack({ bbb, worker: true, env: { ATTENDANCE_POLL_SECONDS: '1' } });
  expect((await put(s, programme(id))).statusCode).toBe(201);
  const people = await addParticipants(s, id, [
    { name: 'Łukasz Ōtomo', email: 'lukasz@example.org' },
    { name: 'Алёна', email: 'alena@example.org' },
  ]);
  return { people, meetingID: `${id}--bbb-${programme(id).days[0]!.date}`, roomId: `bbb-${programme(id).days[0]!.date}` };
}

const presenceOf = async (eventId: string, roomId: string) => s!.deps.stores.presence.bbbPresence(eventId, roomId);
const total = (intervals: readonly Interval[] | undefined) => union(intervals ?? []).reduce((sum, i) => sum + i.end - i.start, 0);

/** Waits until the poller has looked at least `n` more times (every poll is one getMeetingInfo). */
async function waitForPolls(n: number) {
  const before = bbb!.callCount('getMeetingInfo');
  await expect.poll(() => bbb!.callCount('getMeetingInfo') - before, { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(n);
}

describe('BigBlueButton attendance', () => {
  it('polls a running room into stays, with a leave and a re-join, and the callback replaces them with the exact record', { timeout: 60_000 }, async () => {
    const { people, meetingID, roomId } = await setUp('bbb-att');
    const [ana, ben] = people;
    // The warm-up job creates the room (its session has begun) and starts the poller.
    await expect.poll(async () => (await s!.deps.stores.rooms.get('bbb-att', roomId))?.status, { timeout: 10_000 }).toBe('ready');
    await joinThrough(s!, ana!.links.join.s1!);
    await joinThrough(s!, ben!.links.join.s1!);
    await waitForPolls(3);
    expect(bbb!.userLeaves(meetingID, ben!.id)).toBe(true);
    await waitForPolls(3);
    await joinThrough(s!, ben!.links.join.s1!);
    await waitForPolls(3);

    const polled = await presenceOf('bbb-att', roomId);
    expect(union(polled.get(ana!.id) ?? [])).toHaveLength(1);
    expect(union(polled.get(ben!.id) ?? [])).toHaveLength(2);
    expect(total(polled.get(ana!.id))).toBeGreaterThan(total(polled.get(ben!.id)));
    expect(await s!.deps.stores.presence.bbbMeetings('bbb-att', roomId)).toEqual([{ internalMeetingId: expect.any(String), source: 'polls' }]);

    // The meeting ends; the simulator sends the callback to our listening API.
    expect(bbb!.endMeeting(meetingID)).toBe(true);
    await bbb!.analytics.settled();
    expect(bbb!.analytics.deliveries).toEqual([expect.objectContaining({ meetingID, status: 200 })]);
    const [meeting] = await s!.deps.stores.presence.bbbMeetings('bbb-att', roomId);
    expect(meeting?.source).toBe('callback');
    const exact = await presenceOf('bbb-att', roomId);
    // Joins and leaves to the second: the first stay from the join to the end, the second person's two stays.
    expect(union(exact.get(ana!.id) ?? [])).toHaveLength(1);
    expect(union(exact.get(ben!.id) ?? [])).toHaveLength(2);
    // The exact record covers at least what the polls saw (polls under-count the ends of each stay).
    expect(total(exact.get(ana!.id))).toBeGreaterThanOrEqual(total(polled.get(ana!.id)) - 1000);

    // The poller stops once the room is over and BigBlueButton no longer runs it.
    const job = attendancePollBbb({
      events: s!.deps.stores.events,
      bbb: { getMeetingInfo: (id) => (s!.deps.bbb ? s!.deps.bbb.client.getMeetingInfo(id) : Promise.resolve(null)) },
      meetingIdFor: (e, r) => `${e}--${r}`,
      presence: s!.deps.stores.presence,
      schedule: { pollIntervalMs: 1000, pollAfter: () => Promise.reject(new Error('must not poll again')) },
      clock: new TestClock(new Date(Date.now() + 2 * 60 * 60_000)),
    });
    await expect(job({ eventId: 'bbb-att', roomId, slot: 1 })).resolves.toMatchObject({ stopped: 'the room is over' });
  });

  it('takes a valid callback once, and refuses bad signatures, expired tokens, unknown meetings and huge bodies', { timeout: 60_000 }, async () => {
    const { people, meetingID, roomId } = await setUp('bbb-cb');
    await expect.poll(async () => (await s!.deps.stores.rooms.get('bbb-cb', roomId))?.status, { timeout: 10_000 }).toBe('ready');
    await joinThrough(s!, people[0]!.links.join.s1!);
    // bbb-events keeps whole seconds: a stay shorter than one would be empty.
    await sleep(2100);
    const url = `${s!.base}/callbacks/bbb/analytics/bbb-cb/${roomId}`;
    const sign = (secret: string, exp = Math.floor(Date.now() / 1000) + 3600, alg = 'HS512') =>
      new SignJWT({ exp }).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));
    const post = async (token: string | undefined, body: unknown, to = url) => {
      const res = await fetch(to, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    // The simulator's own delivery is lost; this test sends the callback it would have sent.
    bbb!.analytics.drop = true;
    bbb!.endMeeting(meetingID);
    const view = bbb!.meetings.get(meetingID)!;
    const body = analyticsPayload({ ...view, metadata: new Map(Object.entries(view.metadata)) } as unknown as Parameters<typeof analyticsPayload>[0]);

    expect((await post(undefined, body)).status).toBe(401);
    expect((await post(await sign('not-the-secret-at-all'), body)).status).toBe(401);
    expect((await post(await sign(TEST_BBB_SECRET, Math.floor(Date.now() / 1000) - 10), body))).toMatchObject({ status: 401, body: { error: 'the token has expired' } });
    expect((await post(await sign(TEST_BBB_SECRET, undefined, 'HS256'), body)).status).toBe(401);
    // Signed, but about a meeting we did not create: another room's id, a forged internal id, an unknown room.
    expect((await post(await sign(TEST_BBB_SECRET), { ...body, meeting_id: 'someone-else' })).status).toBe(404);
    expect((await post(await sign(TEST_BBB_SECRET), { ...body, internal_meeting_id: `${'0'.repeat(40)}-1` })).status).toBe(404);
    expect((await post(await sign(TEST_BBB_SECRET), body, `${s!.base}/callbacks/bbb/analytics/bbb-cb/bbb-2000-01-01`)).status).toBe(404);
    expect((await post(await sign(TEST_BBB_SECRET), { ...body, data: { attendees: 'many' } })).status).toBe(400);
    expect((await post(await sign(TEST_BBB_SECRET), `{"padding":"${'x'.repeat(9 * 1024 * 1024)}"}`)).status).toBe(413);
    expect(await s!.deps.stores.presence.bbbMeetings('bbb-cb', roomId)).not.toContainEqual(expect.objectContaining({ source: 'callback' }));

    expect(await post(await sign(TEST_BBB_SECRET), body)).toEqual({ status: 200, body: { status: 'recorded', attendees: 1 } });
    const first = await presenceOf('bbb-cb', roomId);
    // BigBlueButton never retries, but a repeat (a proxy, a replay) changes nothing.
    const tampered = { ...body, data: { ...(body.data as object), attendees: [] } };
    expect(await post(await sign(TEST_BBB_SECRET), tampered)).toEqual({ status: 200, body: { status: 'duplicate' } });
    expect(await presenceOf('bbb-cb', roomId)).toEqual(first);
    expect(first.get(people[0]!.id)).toHaveLength(1);
  });

  it('keeps the polled stays when the callback never comes', { timeout: 60_000 }, async () => {
    const { people, meetingID, roomId } = await setUp('bbb-lost');
    bbb!.analytics.drop = true;
    await expect.poll(async () => (await s!.deps.stores.rooms.get('bbb-lost', roomId))?.status, { timeout: 10_000 }).toBe('ready');
    await joinThrough(s!, people[0]!.links.join.s1!);
    await waitForPolls(3);
    bbb!.endMeeting(meetingID);
    await sleep(1500);
    expect(bbb!.analytics.deliveries).toEqual([expect.objectContaining({ dropped: true })]);
    const meetings = await s!.deps.stores.presence.bbbMeetings('bbb-lost', roomId);
    expect(meetings.map((m) => m.source)).toEqual(['polls']);
    expect(total((await presenceOf('bbb-lost', roomId)).get(people[0]!.id))).toBeGreaterThan(0);
  });
});
