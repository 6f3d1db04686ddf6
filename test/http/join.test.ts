import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink } from '../../src/domain/link-token.js';
import { oneDay } from '../helpers/programme-fixtures.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';
import { auth } from '../helpers/test-app.js';
import { SIGNING_KEY } from '../helpers/test-config.js';

// 2030-06-03 09:00 Europe/Vienna is 07:00Z; joinOpensMinutesBefore defaults to 15.
const START = '2030-06-03T07:00:00.000Z';
const OPENS = '2030-06-03T06:45:00.000Z';
const END = '2030-06-03T08:00:00.000Z';

let s: Stack;
const clock = new TestClock(OPENS);
const links: Record<string, { page: string; join: Record<string, string> }> = {};
const ids: Record<string, string> = {};

const path = (url: string) => new URL(url).pathname;
const get = (url: string) => s.app.inject({ method: 'GET', url: path(url) });

beforeAll(async () => {
  s = await startStack({ clock });
  const programme = oneDay(
    [
      { id: 's-main', start: '09:00', end: '10:00' },
      { id: 's-ws', start: '09:00', end: '10:00', room: 'workshop-a' },
    ],
    { id: 'join-evt', date: '2030-06-03' },
  );
  expect((await s.app.inject({ method: 'PUT', url: '/api/v1/events/join-evt', headers: auth, payload: programme })).statusCode).toBe(201);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/events/join-evt/participants',
    headers: auth,
    payload: {
      participants: [
        { name: 'Ana Moderator', email: 'ana@example.org', role: 'moderator' },
        { name: 'Ben <Viewer> & Co', email: 'ben@example.org' },
        { name: 'Cleo Revoked', email: 'cleo@example.org' },
      ],
    },
  });
  expect(res.statusCode).toBe(201);
  for (const p of res.json().participants) {
    links[p.email] = p.links;
    ids[p.email] = p.id;
  }
});
afterAll(async () => s.close());

describe('join window', () => {
  it.each([
    ['one second before it opens', -1000 + Date.parse(OPENS), 403],
    ['the instant it opens', Date.parse(OPENS), 302],
    ['one second after it opens', Date.parse(OPENS) + 1000, 302],
    ['one second before the end', Date.parse(END) - 1000, 302],
    ['the instant it ends', Date.parse(END), 410],
    ['one second after the end', Date.parse(END) + 1000, 410],
  ])('%s answers %i', async (_name, at, status) => {
    clock.set(new Date(at));
    const res = await get(links['ben@example.org']!.join['s-main']!);
    expect(res.statusCode).toBe(status);
    if (status !== 302) {
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(res.headers.location).toBeUndefined();
    }
  });

  it('says when a session opens', async () => {
    clock.set(new Date(Date.parse(OPENS) - 3600_000));
    const res = await get(links['ben@example.org']!.join['s-main']!);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain(OPENS.replace('.000Z', ''));
  });
});

describe('redirect to BigBlueButton', () => {
  it('sends moderators as MODERATOR and others as VIEWER, to a URL the server accepts', async () => {
    clock.set(START);
    for (const [email, role] of [
      ['ana@example.org', 'MODERATOR'],
      ['ben@example.org', 'VIEWER'],
    ] as const) {
      const res = await get(links[email]!.join['s-ws']!);
      expect(res.statusCode).toBe(302);
      const target = new URL(res.headers.location as string);
      expect(target.origin + '/bigbluebutton/').toBe(s.bbb.url);
      expect(target.pathname).toBe('/bigbluebutton/api/join');
      expect(target.searchParams.get('role')).toBe(role);
      expect(target.searchParams.get('userID')).toBe(ids[email]);
      expect(target.searchParams.get('redirect')).toBe('true');
      expect(target.searchParams.get('password')).toBeNull();
      // A bodiless redirect keeps the headers that matter for it, and the join URL must not leak via Referer.
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toBeUndefined();
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(res.headers['x-content-type-options']).toBeUndefined();
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      // The simulator checks the checksum and createTime exactly as BigBlueButton does.
      const landed = await fetch(target, { redirect: 'manual' });
      expect(landed.status).toBe(302);
      expect(landed.headers.get('location')).toMatch(/\/html5client\/join\?sessionToken=/);
    }
    const meeting = s.bbb.meetings.get('join-evt--bbb-2030-06-03-workshop-a');
    expect(meeting?.attendees.map((a) => [a.fullName, a.role])).toEqual([
      ['Ana Moderator', 'MODERATOR'],
      ['Ben <Viewer> & Co', 'VIEWER'],
    ]);
    expect(meeting?.metadata).toMatchObject({ event: 'join-evt', room: 'bbb-2030-06-03-workshop-a' });
  });

  it('re-creates a meeting that BigBlueButton removed and never sends anyone to the dead one', async () => {
    clock.set(START);
    const first = await get(links['ben@example.org']!.join['s-main']!);
    const firstCreateTime = new URL(first.headers.location as string).searchParams.get('createTime');
    // Nobody follows the redirect; BigBlueButton ends the empty meeting.
    s.bbb.endMeeting('join-evt--bbb-2030-06-03');
    clock.advance(11_000);
    const second = await get(links['ben@example.org']!.join['s-main']!);
    const secondUrl = new URL(second.headers.location as string);
    expect(secondUrl.searchParams.get('createTime')).not.toBe(firstCreateTime);
    const landed = await fetch(secondUrl, { redirect: 'manual' });
    expect(landed.headers.get('location')).toMatch(/html5client/);
  });
});

describe('returning participants', () => {
  it('are answered without waiting while the room is trusted, and BigBlueButton is asked again after that', async () => {
    clock.set(START);
    const token = path(links['ana@example.org']!.page).split('/')[2]!;
    expect((await get(links['ana@example.org']!.join['s-main']!)).statusCode).toBe(302);
    const again = s.deps.joins.join(token, 's-main');
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toMatchObject({ kind: 'redirect', provider: 'bbb' });
    const route = await get(links['ana@example.org']!.join['s-main']!);
    expect(route.headers.location).toBe((again as { url: string }).url);

    // Past the 10 s trust (and the 2 s programme cache) the same join waits for its checks again.
    clock.advance(11_000);
    const later = s.deps.joins.join(token, 's-main');
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toMatchObject({ kind: 'redirect', provider: 'bbb' });
    expect(s.deps.joins.join(token, 's-main')).not.toBeInstanceOf(Promise);
  });

  it('are answered from the same state as the first join: outside the window, unknown sessions', async () => {
    clock.set(START);
    const token = path(links['ben@example.org']!.page).split('/')[2]!;
    expect((await get(links['ben@example.org']!.join['s-main']!)).statusCode).toBe(302);
    expect(s.deps.joins.join(token, 'nope')).toMatchObject({ kind: 'refused', reason: 'not-found' });
    clock.set(END);
    expect((await get(links['ben@example.org']!.join['s-main']!)).statusCode).toBe(410);
    expect(s.deps.joins.join(token, 's-main')).toMatchObject({ kind: 'refused', reason: 'ended' });
  });
});

describe('links that must not work', () => {
  it('rejects a revoked participant with 410 and keeps rejecting', async () => {
    clock.set(START);
    const del = await s.app.inject({ method: 'DELETE', url: `/api/v1/events/join-evt/participants/${ids['cleo@example.org']}`, headers: auth });
    expect(del.statusCode).toBe(204);
    for (const url of [links['cleo@example.org']!.join['s-main']!, links['cleo@example.org']!.page]) {
      const res = await get(url);
      expect(res.statusCode).toBe(410);
      expect(res.body).toMatch(/withdrawn/);
    }
  });

  it('rejects every single-character change of a token', async () => {
    clock.set(START);
    const url = links['ben@example.org']!.join['s-main']!;
    const token = path(url).split('/')[2]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    let tried = 0;
    for (let i = 0; i < token.length; i++) {
      const replacement = alphabet[(alphabet.indexOf(token[i]!) + 1 + (i % 7)) % alphabet.length]!;
      const changed = token.slice(0, i) + replacement + token.slice(i + 1);
      const res = await s.app.inject({ method: 'GET', url: `/p/${changed}/join/s-main` });
      expect(res.statusCode, `position ${i}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      tried++;
    }
    expect(tried).toBe(token.length);
    expect((await s.app.inject({ method: 'GET', url: `/p/${token}/join/s-main` })).statusCode).toBe(302);
  });

  it('rejects a link signed with a key that has been removed', async () => {
    const [, secret] = SIGNING_KEY.split(':');
    const old = signLink({ eventId: 'join-evt', participantId: ids['ben@example.org']! }, { id: 'retired', secret: secret! });
    const res = await s.app.inject({ method: 'GET', url: `/p/${old}/join/s-main` });
    expect(res.statusCode).toBe(410);
    expect(res.body).toMatch(/expired/);
  });

  it('answers 404 for a session that is not in the programme', async () => {
    const res = await s.app.inject({ method: 'GET', url: path(links['ben@example.org']!.page) + '/join/nope' });
    expect(res.statusCode).toBe(404);
  });
});

describe('BigBlueButton outages', () => {
  it('answers 503 with Retry-After while BigBlueButton is down, and recovers', async () => {
    clock.set(START);
    clock.advance(60_000);
    s.bbb.faults.down = true;
    const down = await get(links['ben@example.org']!.join['s-ws']!);
    expect(down.statusCode).toBe(503);
    expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
    expect(down.body).not.toMatch(/bigbluebutton\/api|checksum/);
    s.bbb.faults.down = false;
    const up = await get(links['ben@example.org']!.join['s-ws']!);
    expect(up.statusCode).toBe(302);
  });

  it('answers 503 when BigBlueButton fails with a 500', async () => {
    clock.advance(60_000);
    s.bbb.faults.failNext(5, 'http500');
    const res = await get(links['ana@example.org']!.join['s-main']!);
    expect(res.statusCode).toBe(503);
  });
});

describe('logs', () => {
  it('never contain a link token, a checksum or the BigBlueButton secret', () => {
    const all = s.logs.join('');
    expect(all.length).toBeGreaterThan(0);
    const token = path(links['ben@example.org']!.page).split('/')[2]!;
    expect(all).not.toContain(token);
    expect(all).not.toContain('checksum=');
    expect(all).not.toContain(s.deps.config.bbb!.secret);
    expect(all).toContain('/p/[token]');
  });

  it('have one flat line per request, with the route and the token cut out of the URL', () => {
    const joins = s.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === 'request completed' && entry.route === '/p/:token/join/:sessionId' && entry.status === 302);
    expect(joins.length).toBeGreaterThan(0);
    for (const entry of joins) {
      expect(entry).toMatchObject({ level: 30, method: 'GET', url: expect.stringMatching(/^\/p\/\[token\]\/join\/s-(main|ws)$/), status: 302 });
      expect(entry.reqId).toEqual(expect.any(String));
      expect(entry.ms).toEqual(expect.any(Number));
      expect(entry).not.toHaveProperty('req');
    }
  });
});

describe('path parameters', () => {
  // The join route checks its params without zod when they are valid; a rejection must look as before.
  it.each([
    ['a token over 512 characters', () => `/p/${'A'.repeat(513)}/join/s-main`, 'params.token'],
    ['a session id over 64 characters', () => `${path(links['ben@example.org']!.page)}/join/${'s'.repeat(65)}`, 'params.sessionId'],
  ])('answers 400 with the issue for %s', async (_name, url, issuePath) => {
    const res = await s.app.inject({ method: 'GET', url: url() });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid request', issues: [{ path: issuePath, message: expect.any(String) }] });
  });

  it('accepts the bounds themselves', async () => {
    clock.set(START);
    const atBound = await s.app.inject({ method: 'GET', url: `${path(links['ben@example.org']!.page)}/join/${'s'.repeat(64)}` });
    expect(atBound.statusCode).toBe(404); // valid params, no such session
    const token = await s.app.inject({ method: 'GET', url: `/p/${'A'.repeat(512)}/join/s-main` });
    expect(token.statusCode).toBe(403); // valid params, not a valid link
  });
});
