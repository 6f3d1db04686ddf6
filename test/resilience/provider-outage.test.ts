import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { startBbbServer, type BbbSimulator } from '../fakes/bbb-server.js';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { findLeaks, linkSecrets } from '../helpers/log-audit.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';
import { person, resilienceProgramme, sleep } from './fixtures.js';

/**
 * BigBlueButton and Zoom both go down (every connection dropped) while people join and while rooms are
 * provisioned. Joins must answer the documented "not reachable" page (503, HTML, Retry-After, never a
 * redirect) or, for Zoom, the "registration pending" page — never any other 5xx; provisioning must keep
 * retrying and, once the providers are back, finish by itself.
 */
const EVENT = 'outage-evt';
const AT_CONFERENCE = '2030-06-03T08:05:00Z';
const AT_ACADEMY = '2030-06-04T07:05:00Z'; // 09:05 Vienna
let bbb: BbbSimulator;
let zoom: ZoomSimulator;
let stack: Stack;
const clock = new TestClock(AT_CONFERENCE, true);
type Issued = { id: string; email: string; links: { page: string; join: Record<string, string> } };
let people: Issued[] = [];

const rooms = async () =>
  (await stack.app.inject({ method: 'GET', url: `/api/v1/events/${EVENT}/provisioning`, headers: auth })).json().rooms as Array<{ id: string; status: string; error?: string }>;
const join = (p: Issued, session: string) => stack.app.inject({ method: 'GET', url: new URL(p.links.join[session]!).pathname });
const failures = (job: string) => stack.logs.filter((l) => l.includes('"msg":"job failed"') && l.includes(`"job":"${job}"`)).length;

function expectUnavailablePage(res: LightMyRequestResponse, provider: RegExp): void {
  expect(res.statusCode, res.body.slice(0, 300)).toBe(503);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers.location).toBeUndefined();
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.body).toMatch(provider);
  expect(res.body).toMatch(/not reachable/);
}

beforeAll(async () => {
  bbb = await startBbbServer();
  zoom = await startZoomServer({ plan: 'business' });
  stack = await startStack({ bbb, zoom, worker: true, clock });
});

afterAll(async () => {
  await stack?.close();
  await zoom?.close();
  await bbb?.close();
});

describe('provider outages', () => {
  it('answers joins with the 503 page only, keeps retrying provisioning, and recovers fully', { timeout: 60_000 }, async () => {
    bbb.faults.down = true;
    zoom.faults.down = true;
    expect((await stack.app.inject({ method: 'PUT', url: `/api/v1/events/${EVENT}`, headers: auth, payload: resilienceProgramme(EVENT) })).statusCode).toBe(201);
    const res = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/events/${EVENT}/participants`,
      headers: auth,
      payload: { participants: Array.from({ length: 40 }, (_, i) => person(i + 1, i === 0 ? 'moderator' : undefined)) },
    });
    expect(res.statusCode).toBe(201);
    people = res.json().participants;
    expect((await stack.app.inject({ method: 'POST', url: `/api/v1/events/${EVENT}/provision`, headers: auth })).statusCode).toBe(202);

    // During the outage: conference joins wait for a registration Zoom cannot take; academy joins cannot create the room.
    const seen = new Map<number, number>();
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      clock.set(AT_CONFERENCE);
      for (const p of people.slice(0, 5)) {
        const r = await join(p, 'c-opening');
        seen.set(r.statusCode, (seen.get(r.statusCode) ?? 0) + 1);
        if (r.statusCode !== 409) expectUnavailablePage(r, /Zoom/);
        else expect(r.body).toMatch(/being processed/);
      }
      clock.set(AT_ACADEMY);
      for (const p of people.slice(0, 5)) {
        const r = await join(p, 'a1-open');
        seen.set(r.statusCode, (seen.get(r.statusCode) ?? 0) + 1);
        expectUnavailablePage(r, /BigBlueButton/);
      }
      await sleep(100);
    }
    expect([...seen.keys()].every((s) => s === 503 || s === 409)).toBe(true);
    expect(seen.get(503)).toBeGreaterThan(0);

    // Provisioning is failing and being retried, not given up.
    await expect.poll(() => failures('bbb.create-room') >= 2 * 3 && failures('zoom.sync-webinar') >= 1, { timeout: 15_000, interval: 200 }).toBe(true);
    for (const room of await rooms()) {
      expect(room.status, room.id).not.toBe('failed');
      expect(room.status).not.toBe('ready');
    }
    expect((await rooms()).some((r) => r.error?.startsWith('retrying:'))).toBe(true);

    // The providers come back: the queued retries finish the job without anyone pressing a button.
    bbb.faults.down = false;
    zoom.faults.down = false;
    await expect
      .poll(async () => (await rooms()).map((r) => `${r.id}:${r.status}`), { timeout: 40_000, interval: 250 })
      .toEqual(['bbb-2030-06-04:ready', 'bbb-2030-06-04-workshop-a:ready', 'bbb-2030-06-05:ready', 'zoom-2030-06-03:ready']);
    expect((await rooms()).filter((r) => r.error !== undefined)).toEqual([]);
    expect(zoom.state.webinars.size).toBe(1);

    clock.set(AT_ACADEMY);
    for (const p of people.slice(0, 5)) {
      const r = await join(p, 'a1-open');
      expect(r.statusCode).toBe(302);
      expect(r.headers.location).toMatch(/\/bigbluebutton\/api\/join\?/);
    }
    clock.set(AT_CONFERENCE);
    await expect.poll(async () => (await join(people[1]!, 'c-opening')).statusCode, { timeout: 15_000, interval: 250 }).toBe(302);
    for (const p of people.slice(1, 6)) {
      const r = await join(p, 'c-opening');
      expect(r.statusCode).toBe(302);
      expect(r.headers.location).toMatch(/\/w\/\d+\?tk=/);
    }
  });

  it('logged no secret, personal token or signed provider URL', () => {
    const registrantTokens = [...zoom.state.registrants.values()].flat().map((r) => r.token);
    expect(findLeaks(stack.logs, [...linkSecrets(people.map((p) => p.links.page)), ...registrantTokens])).toEqual([]);
  });
});
