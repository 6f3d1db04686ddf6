import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleProgramme, oneDay } from '../helpers/programme-fixtures.js';
import { auth, createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const put = (id: string, payload: unknown, headers: Record<string, string> = auth) =>
  t.app.inject({ method: 'PUT', url: `/api/v1/events/${id}`, headers, payload: payload as object });

describe('organizer auth', () => {
  it.each([
    ['missing', {}],
    ['wrong', { authorization: 'Bearer not-the-right-token-000000' }],
    ['wrong scheme', { authorization: `Basic ${auth.authorization.slice(7)}` }],
  ])('rejects a %s token with 401', async (_name, headers) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/events/hrgl-2024', headers });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: expect.stringMatching(/bearer token/) });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="organizer API"');
  });
});

describe('PUT and GET /api/v1/events/:eventId', () => {
  it('creates with 201, replaces with 200 and a higher version, reads back absolute times', async () => {
    const first = await put('hrgl-2024', exampleProgramme());
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ id: 'hrgl-2024', version: 1 });
    const second = await put('hrgl-2024', exampleProgramme());
    expect(second.statusCode).toBe(200);
    expect(second.json().version).toBe(2);

    const read = await t.app.inject({ method: 'GET', url: '/api/v1/events/hrgl-2024', headers: auth });
    expect(read.statusCode).toBe(200);
    const body = read.json();
    expect(body.version).toBe(2);
    expect(body.days[0].sessions[0]).toMatchObject({ id: 'd1-opening', startsAt: '2024-02-05T08:00:00Z', roomId: 'bbb-2024-02-05' });
    expect(body.rooms).toHaveLength(5);
  });

  it('answers 404 for an unknown event', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/events/nope', headers: auth });
    expect(res.statusCode).toBe(404);
  });

  it('names every invalid field in a 400 and keeps the stored version', async () => {
    await put('keep', oneDay([{ id: 'a', start: '09:00', end: '10:00' }], { id: 'keep' }));
    const bad = oneDay(
      [
        { id: 'a', start: '10:00', end: '09:00' },
        { id: 'a', start: '25:00', end: '26:00' },
      ],
      { id: 'keep', timezone: 'Mars/Olympus' },
    );
    const res = await put('keep', bad);
    expect(res.statusCode).toBe(400);
    const paths = res.json().issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['timezone', 'days.0.sessions.1.start', 'days.0.sessions.1.end']));
    expect(res.json().error).toBe('invalid request');
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/events/keep', headers: auth });
    expect(read.json()).toMatchObject({ version: 1, timezone: 'Europe/Vienna' });
  });

  it.each([
    ['9999-12-31', 'America/Adak'],
    ['0000-01-01', 'Asia/Tokyo'],
    ['1999-12-31', 'Europe/Vienna'],
    ['2101-01-01', 'Europe/Vienna'],
  ])('rejects a day on %s (%s) naming the field, and stores nothing', async (date, timezone) => {
    const id = `far-${date}`;
    const programme = oneDay([{ id: 'a', start: '09:00', end: '10:00' }], { id, date, timezone });
    const res = await put(id, { ...programme, days: [(programme.days as object[])[0], { date: '2030-06-03', kind: 'academy', title: 'Fine', sessions: [{ id: 'b', title: 'B', start: '09:00', end: '10:00' }] }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([{ path: 'days.0.date', message: expect.stringMatching(/2000.*2100/) }]);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/events/${id}`, headers: auth })).statusCode).toBe(404);
  });

  it('accepts the first and last day of the window', async () => {
    const programme = oneDay([{ id: 'a', start: '09:00', end: '10:00' }], { id: 'edges', date: '2000-01-01', timezone: 'Pacific/Kiritimati' });
    const res = await put('edges', { ...programme, days: [(programme.days as object[])[0], { date: '2100-12-31', kind: 'academy', title: 'Last', sessions: [{ id: 'b', title: 'B', start: '22:00', end: '23:00' }] }] });
    expect(res.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/events/edges', headers: auth })).statusCode).toBe(200);
  });

  it('rejects a body whose id differs from the URL', async () => {
    const res = await put('other', exampleProgramme());
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([{ path: 'id', message: expect.stringContaining('other') }]);
  });

  it('rejects an invalid event id in the URL', async () => {
    const res = await put('Bad_ID', exampleProgramme());
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('params.eventId');
  });

  it('answers 413 for a body over the limit and 415 for a wrong content type', async () => {
    const big = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/events/big',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...exampleProgramme(), pad: 'x'.repeat(1_100_000) }),
    });
    expect(big.statusCode).toBe(413);
    const text = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/events/hrgl-2024',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: JSON.stringify(exampleProgramme()),
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error).toMatch(/application\/json/);
    const broken = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/events/hrgl-2024',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"id":',
    });
    expect(broken.statusCode).toBe(400);
  });

  it('leaves exactly one complete version after concurrent PUTs of one event', async () => {
    const variants = Array.from({ length: 20 }, (_, i) =>
      oneDay([{ id: 'a', start: '09:00', end: '10:00', title: `variant ${i}` }], { id: 'race' }),
    );
    const results = await Promise.all(variants.map((v) => put('race', v)));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(19);
    const versions = results.map((r) => r.json().version).sort((a: number, b: number) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const read = (await t.app.inject({ method: 'GET', url: '/api/v1/events/race', headers: auth })).json();
    expect(read.version).toBe(20);
    const winner = results.find((r) => r.json().version === 20)?.json();
    expect(read.days).toEqual(winner.days);
  });
});

describe('OpenAPI', () => {
  it('describes every route with its schemas', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    const put = doc.paths['/api/v1/events/{eventId}'].put;
    expect(put.requestBody.content['application/json'].schema.properties).toHaveProperty('days');
    expect(put.responses).toHaveProperty('201');
    expect(put.security).toEqual([{ organizer: [] }]);
    for (const path of ['/healthz', '/readyz', '/metrics', '/api/v1/events/{eventId}']) expect(doc.paths).toHaveProperty([path]);
    const docs = await t.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });
});

describe('ops', () => {
  it('serves health, readiness and Prometheus metrics', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-abc.123' } });
    expect(health.statusCode).toBe(200);
    expect(health.headers['x-request-id']).toBe('trace-abc.123');
    const fresh = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'not ok<script>' } });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const signature = 'xorm2wgk-6Z0cLSIDuJmK9Nr-9AkEy8aBQvPeLFdCeU';
    const secretShaped = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': signature } });
    expect(secretShaped.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.body).toMatch(/process_cpu_user_seconds_total/);
    expect(metrics.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/);
  });
});
