import { createHmac, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { signZoomWebhook } from '../../src/providers/zoom/webhook-signature.js';
import { deleteKeys, uniquePrefix } from '../helpers/redis-keys.js';
import { createServiceParts } from '../helpers/service-parts.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';

const SECRET = 'zoom-webhook-secret-test-0123456789';
const WEBINAR_ID = '81234567890';
const LINK = { eventId: 'hr-academy-2026', roomId: 'conference-day-1' };

type Json = Record<string, unknown>;

function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}

function webinarEvent(event: string, eventTs: number, object: Json): Json {
  return { event, event_ts: eventTs, payload: { account_id: 'AAAAAABBBB', object } };
}

function webinarObject(extra: Json = {}): Json {
  return {
    id: WEBINAR_ID,
    uuid: '4444AAAiAAAAAiAiAiiAii==',
    host_id: 'x1yCzABCDEfg23HiJKl4mN',
    topic: 'Human rights academy, day 1',
    type: 5,
    start_time: '2026-03-02T09:00:00Z',
    timezone: 'Europe/Berlin',
    duration: 240,
    ...extra,
  };
}

function participantEvent(kind: 'joined' | 'left', at: string, participant: Json, eventTs = Date.parse(at)): Json {
  const timeField = kind === 'joined' ? { join_time: at } : { leave_time: at };
  return webinarEvent(
    `webinar.participant_${kind}`,
    eventTs,
    webinarObject({ participant: { user_id: '16778240', user_name: 'Amina Guest', id: '', email: '', ...participant, ...timeField } }),
  );
}

describe('POST /webhooks/zoom', () => {
  let t: TestApp;

  const send = (
    body: Json | string,
    options: { secret?: string; timestamp?: string; signature?: string; signedBody?: string; headers?: Record<string, string> } = {},
  ) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const timestamp = options.timestamp ?? nowSeconds();
    const signature =
      options.signature ?? signZoomWebhook({ rawBody: options.signedBody ?? raw, timestamp, secretToken: options.secret ?? SECRET });
    return t.app.inject({
      method: 'POST',
      url: '/webhooks/zoom',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signature, ...options.headers },
      payload: raw,
    });
  };

  beforeAll(async () => {
    t = await createTestApp({ config: testConfig({ ZOOM_WEBHOOK_SECRET_TOKEN: SECRET }) });
    await t.deps.attendance.linkWebinar(WEBINAR_ID, LINK);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records webinar.started from the exact raw bytes (pretty-printed) and webinar.ended with an integer id', async () => {
    const startedTs = Date.parse('2026-03-02T09:01:02.345Z');
    const pretty = JSON.stringify(webinarEvent('webinar.started', startedTs, webinarObject()), null, 2);
    const started = await send(pretty);
    expect(started.statusCode).toBe(200);
    expect(started.json()).toEqual({ status: 'recorded' });
    expect(await t.deps.attendance.webinarTimes(LINK.eventId, LINK.roomId)).toEqual({ startedAt: '2026-03-02T09:01:02.345Z' });

    const ended = await send(webinarEvent('webinar.ended', startedTs + 4 * 3600_000, webinarObject({ id: Number(WEBINAR_ID), end_time: '2026-03-02T13:00:00Z' })));
    expect(ended.json()).toEqual({ status: 'recorded' });
    expect(await t.deps.attendance.webinarTimes(LINK.eventId, LINK.roomId)).toEqual({
      startedAt: '2026-03-02T09:01:02.345Z',
      endedAt: '2026-03-02T13:00:00.000Z',
    });
  });

  it('rejects a tampered body, a stale timestamp, a wrong or missing signature with 401 and records nothing', async () => {
    const body = participantEvent('joined', '2026-03-02T09:05:00Z', { registrant_id: 'reg-tampered' });
    const tampered = JSON.stringify(body).replace('reg-tampered', 'reg-tampered-x');
    const cases = [
      await send(tampered, { signedBody: JSON.stringify(body) }),
      await send(body, { timestamp: String(Math.floor(Date.now() / 1000) - 301) }),
      await send(body, { secret: 'some-other-secret' }),
      await send(body, { signature: 'v0=' + '0'.repeat(64) }),
      await t.app.inject({ method: 'POST', url: '/webhooks/zoom', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
    ];
    expect(cases.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    expect(cases[1]?.json().error).toMatch(/timestamp/);
    const attendance = await t.deps.attendance.registrantsAttendance(LINK.eventId, LINK.roomId);
    expect(attendance.map((a) => a.registrantId)).not.toContain('reg-tampered');
    expect(attendance.map((a) => a.registrantId)).not.toContain('reg-tampered-x');
  });

  it('answers endpoint.url_validation with the HMAC of plainToken, but only when signed', async () => {
    const plainToken = 'qgg8vlvZRS6UYooatFL8Aw';
    const body = { payload: { plainToken }, event_ts: Date.now(), event: 'endpoint.url_validation' };
    const response = await send(body);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ plainToken, encryptedToken: createHmac('sha256', SECRET).update(plainToken).digest('hex') });

    expect((await send(body, { secret: 'not-the-secret' })).statusCode).toBe(401);
  });

  it('records a redelivery once, keyed on the body hash or on x-zm-trackingid', async () => {
    const body = participantEvent('joined', '2026-03-02T09:10:00Z', { registrant_id: 'reg-dup', email: 'dup@example.org' });
    expect((await send(body)).json()).toEqual({ status: 'recorded' });
    // Zoom's retry: same body, new timestamp and signature.
    const retry = await send(body, { timestamp: String(Math.floor(Date.now() / 1000) + 1) });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({ status: 'duplicate' });

    const trackingId = randomUUID();
    const tracked = participantEvent('left', '2026-03-02T09:20:00Z', { registrant_id: 'reg-dup' });
    expect((await send(tracked, { headers: { 'x-zm-trackingid': trackingId } })).json()).toEqual({ status: 'recorded' });
    const reshaped = { ...tracked, event_ts: (tracked.event_ts as number) + 1 };
    expect((await send(reshaped, { headers: { 'x-zm-trackingid': trackingId } })).json()).toEqual({ status: 'duplicate' });

    const attendance = await t.deps.attendance.registrantsAttendance(LINK.eventId, LINK.roomId);
    expect(attendance.find((a) => a.registrantId === 'reg-dup')).toEqual({
      registrantId: 'reg-dup',
      name: 'Amina Guest',
      email: 'dup@example.org',
      sessions: [{ joinedAt: '2026-03-02T09:10:00.000Z', leftAt: '2026-03-02T09:20:00.000Z' }],
    });
  });

  it('matches joins and leaves by registrant_id when email is empty, across several sessions and out-of-order delivery', async () => {
    const reg = { registrant_id: 'reg-guest-1', email: '' };
    const deliveries = [
      participantEvent('joined', '2026-03-02T09:30:00Z', reg),
      // The second leave arrives before the re-join (a Zoom retry is minutes late).
      participantEvent('left', '2026-03-02T10:15:00Z', reg),
      participantEvent('left', '2026-03-02T09:45:00Z', reg),
      participantEvent('joined', '2026-03-02T09:45:00Z', reg),
    ];
    for (const body of deliveries) expect((await send(body)).json()).toEqual({ status: 'recorded' });

    const attendance = await t.deps.attendance.registrantsAttendance(LINK.eventId, LINK.roomId);
    expect(attendance.find((a) => a.registrantId === 'reg-guest-1')).toEqual({
      registrantId: 'reg-guest-1',
      name: 'Amina Guest',
      sessions: [
        { joinedAt: '2026-03-02T09:30:00.000Z', leftAt: '2026-03-02T09:45:00.000Z' },
        { joinedAt: '2026-03-02T09:45:00.000Z', leftAt: '2026-03-02T10:15:00.000Z' },
      ],
    });
  });

  it('acknowledges unknown webinars, other event types and participants without registrant_id, recording nothing', async () => {
    const unknown = participantEvent('joined', '2026-03-02T09:31:00Z', { registrant_id: 'reg-elsewhere' });
    (unknown.payload as { object: Json }).object.id = '99999999999';
    const response = await send(unknown);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ignored', reason: 'unknown webinar' });

    const other = await send(webinarEvent('webinar.registration_created', Date.now(), { id: 81234567890, registrant: { id: 'r', email: 'x@y.z' } }));
    expect(other.json()).toMatchObject({ status: 'ignored' });
    const panelist = await send(participantEvent('joined', '2026-03-02T09:32:00Z', { registrant_id: '', user_name: 'Panelist' }));
    expect(panelist.json()).toMatchObject({ status: 'ignored' });

    const attendance = await t.deps.attendance.registrantsAttendance(LINK.eventId, LINK.roomId);
    expect(attendance.map((a) => a.registrantId)).not.toContain('reg-elsewhere');
    expect(attendance.map((a) => a.name)).not.toContain('Panelist');
  });

  it('answers 400 for signed bad JSON and for an envelope that is not one', async () => {
    const bad = await send('{"event": "webinar.started", ');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toHaveProperty('error');
    const notEnvelope = await send({ hello: 'world' });
    expect(notEnvelope.statusCode).toBe(400);
    const badObject = await send(webinarEvent('webinar.participant_joined', Date.now(), { id: WEBINAR_ID }));
    expect(badObject.statusCode).toBe(400);
    expect(badObject.json().issues[0].path).toMatch(/^payload\.object/);
  });

  it.each([
    ['an event_ts beyond what a Date holds', webinarEvent('webinar.started', 8640000000000001, webinarObject())],
    ['an event_ts in the year 10000', webinarEvent('webinar.started', Date.UTC(10000, 0, 1), webinarObject())],
    ['an event_ts before 2000', webinarEvent('webinar.started', 1, webinarObject())],
    ['a join_time in the year 0000', participantEvent('joined', '0000-01-01T00:00:00Z', { registrant_id: 'r-far' }, Date.now())],
    ['an end_time in 9999', webinarEvent('webinar.ended', Date.now(), webinarObject({ end_time: '9999-12-31T23:59:59Z' }))],
  ])('answers a signed payload with %s with 400 naming the field, recording nothing', async (_name, body) => {
    const res = await send(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toMatch(/^(event_ts|payload\.object\.(end_time|participant\.join_time))$/);
  });

  it('answers a signed payload nested 100,000 deep or over its size limit with 400', async () => {
    const deep = `{"event":"webinar.started","event_ts":${Date.now()},"payload":{"object":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    const res = await send(deep);
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0]).toMatchObject({ path: 'body', message: expect.stringMatching(/nest/) });
    const deepObject = `{"event":"webinar.started","event_ts":${Date.now()},"payload":${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}}`;
    expect((await send(deepObject)).statusCode).toBe(400);
    const big = await send(webinarEvent('webinar.started', Date.now(), webinarObject({ pad: 'x'.repeat(300_000) })));
    expect(big.statusCode).toBe(413);
  });

  it('is documented in /openapi.json', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.paths['/webhooks/zoom']?.post).toBeDefined();
  });
});

describe('POST /webhooks/zoom without a secret token', () => {
  it('answers 503 with a clear error instead of accepting or 500', async () => {
    const t = await createTestApp({ config: testConfig() });
    try {
      const raw = JSON.stringify({ event: 'endpoint.url_validation', event_ts: Date.now(), payload: { plainToken: 'abc' } });
      const timestamp = nowSeconds();
      const response = await t.app.inject({
        method: 'POST',
        url: '/webhooks/zoom',
        headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signZoomWebhook({ rawBody: raw, timestamp, secretToken: SECRET }) },
        payload: raw,
      });
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toMatch(/ZOOM_WEBHOOK_SECRET_TOKEN/);
    } finally {
      await t.close();
    }
  });
});

describe('POST /webhooks/zoom logging', () => {
  it('never writes the raw body or the signature to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const config = testConfig({ ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
    const prefix = uniquePrefix('zoomlog');
    const { deps, api } = await createServiceParts(config, createLogger('trace', sink), { keyPrefix: prefix });
    const app = await buildApp(api.app);
    try {
      await deps.attendance.linkWebinar(WEBINAR_ID, LINK);
      const marker = `secret-marker-${randomUUID()}`;
      const raw = JSON.stringify(participantEvent('joined', '2026-03-02T09:00:00Z', { registrant_id: marker, user_name: marker }));
      const timestamp = nowSeconds();
      const signature = signZoomWebhook({ rawBody: raw, timestamp, secretToken: SECRET });
      const headers = { 'content-type': 'application/json', 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signature };
      expect((await app.inject({ method: 'POST', url: '/webhooks/zoom', headers, payload: raw })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/webhooks/zoom', headers, payload: raw.replace('joined', 'left') })).statusCode).toBe(401);
      const log = lines.join('');
      expect(log).toContain('zoom webhook');
      expect(log).not.toContain(marker);
      expect(log).not.toContain(signature.slice(3));
    } finally {
      await app.close();
      await deleteKeys(deps.redis, prefix).catch(() => undefined);
      await deps.close();
    }
  });
});
