import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneDay } from '../helpers/programme-fixtures.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';
import { auth } from '../helpers/test-app.js';

/**
 * The longest ids the contract allows (64-character event and session ids, a 32-character signing key id)
 * make the longest personal tokens; every link must still work, and a path Fastify refuses before routing
 * must neither echo the token nor escape the access log and the request metrics.
 */
const EVENT = `e${'-long'.repeat(12)}-id-x`.slice(0, 64);
const SESSION = `s${'-session'.repeat(8)}`.slice(0, 64);
const KEY = `${'k'.repeat(32)}:long-key-id-signing-secret-0123456789abcdef`;
const clock = new TestClock('2030-06-03T06:50:00Z');
let s: Stack;
let links: { page: string; calendar: string; join: Record<string, string> };
const path = (url: string) => new URL(url).pathname;

beforeAll(async () => {
  expect(EVENT).toHaveLength(64);
  expect(SESSION).toHaveLength(64);
  s = await startStack({ clock, env: { LINK_SIGNING_KEYS: KEY } });
  const programme = oneDay([{ id: SESSION, start: '09:00', end: '10:00' }], { id: EVENT, date: '2030-06-03' });
  expect((await s.app.inject({ method: 'PUT', url: `/api/v1/events/${EVENT}`, headers: auth, payload: programme })).statusCode).toBe(201);
  const res = await s.app.inject({
    method: 'POST',
    url: `/api/v1/events/${EVENT}/participants`,
    headers: auth,
    payload: { participants: [{ name: 'Lena Long', email: 'lena@example.org' }] },
  });
  expect(res.statusCode).toBe(201);
  links = res.json().participants[0].links;
});
afterAll(async () => s?.close());

describe('links for the longest ids', () => {
  it('page, calendar and join all work', async () => {
    const token = path(links.page).split('/')[2]!;
    expect(token.length).toBeGreaterThan(100);
    expect((await s.app.inject({ method: 'GET', url: path(links.page) })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'GET', url: path(links.calendar) })).statusCode).toBe(200);
    const join = await s.app.inject({ method: 'GET', url: path(links.join[SESSION]!) });
    expect(join.statusCode).toBe(302);
    expect(join.headers.location).toContain('/bigbluebutton/api/join');
  });
});

describe('paths refused before routing', () => {
  // Token-shaped (base64url of random bytes, a MAC after the dot), far longer than any valid one.
  const payload = randomBytes(600).toString('base64url');
  const mac = randomBytes(32).toString('base64url');
  const overlong = `${payload}.${mac}`;
  const cases: Array<[string, string]> = [
    ['an overlong token', `/p/${overlong}`],
    ['a token longer than any router segment', `/p/${overlong.repeat(3)}`],
    ['an overlong token on the join route', `/p/${overlong}/join/${SESSION}`],
    ['an undecodable token', `/p/${payload.slice(0, 80)}%zz.${mac}/calendar.ics`],
  ];
  it.each(cases)('%s is answered without echoing it, logged and counted', async (_name, url) => {
    const before = s.logs.length;
    const res = await s.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).not.toContain(payload.slice(0, 40));
    expect(res.body).not.toContain(mac);
    expect(res.json().error).toEqual(expect.any(String));
    const lines = s.logs.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    const access = lines.find((l) => l.msg === 'request completed');
    expect(access).toMatchObject({ status: res.statusCode, method: 'GET' });
    expect(s.logs.slice(before).join('')).not.toContain(payload.slice(0, 40));
    expect(s.logs.slice(before).join('')).not.toContain(mac);
    const metrics = (await s.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(new RegExp(`http_request_duration_seconds_count\\{[^}]*status="${res.statusCode}"[^}]*\\} [1-9]`));
  });
});
