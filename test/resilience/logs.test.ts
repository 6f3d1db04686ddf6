import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBbbServer, type BbbSimulator } from '../fakes/bbb-server.js';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { findLeaks, linkSecrets } from '../helpers/log-audit.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { ORGANIZER_TOKEN } from '../helpers/test-config.js';
import { TestClock } from '../helpers/test-clock.js';
import { person, resilienceProgramme } from './fixtures.js';

/**
 * The log audit at its most talkative (LOG_LEVEL=trace): every path that handles a secret or a personal link —
 * organizer calls with good and bad tokens, provisioning with provider errors and lost answers, joins that
 * redirect to signed BigBlueButton URLs and personal Zoom links, joins that fail at the provider, the webhook
 * with a wrong signature — and then no secret, personal token or signed provider URL may be in the log.
 * (The other resilience files run the same audit over their own API and child-process logs.)
 */
const EVENT = 'logs-evt';
const WEBHOOK_SECRET = 'webhook-secret-token-0123456789abcdef';
let bbb: BbbSimulator;
let zoom: ZoomSimulator;
let stack: Stack;
const clock = new TestClock('2030-06-03T08:05:00Z', true);
type Issued = { id: string; email: string; links: { page: string; calendar: string; join: Record<string, string> } };
let people: Issued[] = [];
const join = (p: Issued, session: string) => stack.app.inject({ method: 'GET', url: new URL(p.links.join[session]!).pathname });

beforeAll(async () => {
  bbb = await startBbbServer();
  zoom = await startZoomServer({ plan: 'business' });
  stack = await startStack({ bbb, zoom, worker: true, clock, env: { LOG_LEVEL: 'trace', ZOOM_WEBHOOK_SECRET_TOKEN: WEBHOOK_SECRET } });
});

afterAll(async () => {
  await stack?.close();
  await zoom?.close();
  await bbb?.close();
});

describe('logs of a full run at trace level', () => {
  it('exercises every secret-bearing path', { timeout: 60_000 }, async () => {
    // Provider trouble on the way: a lost webinar-create answer, Zoom 500s, a BBB failure.
    zoom.faults.failNext(1, 'lostResponse');
    expect((await stack.app.inject({ method: 'PUT', url: `/api/v1/events/${EVENT}`, headers: auth, payload: resilienceProgramme(EVENT) })).statusCode).toBe(201);
    const res = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/events/${EVENT}/participants`,
      headers: { ...auth, cookie: `session=${ORGANIZER_TOKEN}` },
      payload: { participants: [person(1, 'moderator'), person(2), person(3), person(4, 'panelist')] },
    });
    expect(res.statusCode).toBe(201);
    people = res.json().participants;
    bbb.faults.failNext(2, 'http500');
    expect((await stack.app.inject({ method: 'POST', url: `/api/v1/events/${EVENT}/provision`, headers: auth })).statusCode).toBe(202);
    await expect
      .poll(async () => ((await stack.app.inject({ method: 'GET', url: `/api/v1/events/${EVENT}/provisioning`, headers: auth })).json().rooms as Array<{ status: string }>).every((r) => r.status === 'ready'), {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(true);

    // Zoom joins: personal registrant and panelist links.
    await expect.poll(async () => (await join(people[1]!, 'c-opening')).statusCode, { timeout: 15_000, interval: 200 }).toBe(302);
    await expect.poll(async () => (await join(people[3]!, 'c-opening')).statusCode, { timeout: 15_000, interval: 200 }).toBe(302);
    zoom.faults.failNext(3, 'http500');
    await stack.app.inject({ method: 'POST', url: `/api/v1/events/${EVENT}/participants`, headers: auth, payload: { participants: [person(5)] } });

    // BigBlueButton joins: signed URLs; then BBB failing during a join.
    clock.set('2030-06-04T07:05:00Z');
    for (const p of people.slice(0, 3)) expect((await join(p, 'a1-open')).statusCode).toBe(302);
    bbb.faults.down = true;
    for (const meeting of bbb.meetings.keys()) bbb.endMeeting(meeting);
    clock.advance(60_000);
    await stack.deps.redis.del(`${stack.prefix}:bbb:meeting:${EVENT}--bbb-2030-06-04`);
    expect((await join(people[1]!, 'a1-open')).statusCode).toBe(503);
    bbb.faults.down = false;

    // Pages, calendars, tampered links, bad organizer tokens, a forged webhook.
    for (const p of people) {
      expect((await stack.app.inject({ method: 'GET', url: new URL(p.links.page).pathname })).statusCode).toBe(200);
      expect((await stack.app.inject({ method: 'GET', url: new URL(p.links.calendar).pathname })).statusCode).toBe(200);
      const token = new URL(p.links.page).pathname.split('/')[2]!;
      expect((await stack.app.inject({ method: 'GET', url: `/p/${token.slice(0, -2)}xx/join/a1-open` })).statusCode).toBeGreaterThanOrEqual(400);
    }
    expect((await stack.app.inject({ method: 'GET', url: `/api/v1/events/${EVENT}`, headers: { authorization: `Bearer ${ORGANIZER_TOKEN}x` } })).statusCode).toBe(401);
    const hook = await stack.app.inject({
      method: 'POST',
      url: '/webhooks/zoom',
      headers: { 'content-type': 'application/json', 'x-zm-signature': `v0=${'0'.repeat(64)}`, 'x-zm-request-timestamp': String(Math.floor(Date.now() / 1000)) },
      payload: { event: 'endpoint.url_validation', payload: { plainToken: 'abc' } },
    });
    expect(hook.statusCode).toBe(401);
    expect(stack.logs.length).toBeGreaterThan(50);
  });

  it('the audit itself catches each kind of leak', () => {
    const token = new URL(people[0]!.links.page).pathname.split('/')[2]!;
    const registrant = [...zoom.state.registrants.values()].flat()[0]!;
    const line = (text: string) => [`{"level":30,"msg":"x","detail":${JSON.stringify(text)}}\n`];
    expect(findLeaks(line('fine'), [token.split('.')[1]!])).toEqual([]);
    expect(findLeaks(line(`/p/${token}`), linkSecrets([people[0]!.links.page]))).toHaveLength(1);
    expect(findLeaks(line(registrant.joinUrl), [registrant.token]).length).toBeGreaterThan(0);
    expect(findLeaks(line(`${bbb.url}api/join?fullName=a&checksum=abc`))).toHaveLength(2);
    expect(findLeaks(line(`Bearer ${ORGANIZER_TOKEN}`))).toHaveLength(1);
  });

  it('contains no secret, personal token or signed provider URL', () => {
    const registrantTokens = [...zoom.state.registrants.values()].flat().map((r) => r.token);
    const panelistTokens = [...zoom.state.panelists.values()].flat().map((p) => p.token);
    const webinarSecrets = Object.fromEntries([...zoom.state.webinars.values()].flatMap((w) => [[`webinar ${w.id} start URL`, w.startUrl], [`webinar ${w.id} password`, w.password]]));
    const leaks = findLeaks(stack.logs, [...linkSecrets(people.map((p) => p.links.page)), ...registrantTokens, ...panelistTokens], { 'webhook secret': WEBHOOK_SECRET, ...webinarSecrets });
    expect(leaks).toEqual([]);
  });
});
