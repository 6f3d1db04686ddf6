import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { oneDay } from '../helpers/programme-fixtures.js';
import { auth, createTestApp } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';

let s: Stack;
let zoom: ZoomSimulator;
beforeAll(async () => {
  zoom = await startZoomServer();
  s = await startStack({ zoom, worker: true, clock: new TestClock('2030-06-03T06:55:00Z', true) });
});
afterAll(async () => {
  await s.close();
  await zoom.close();
});

describe('/metrics', () => {
  it('reports joins by outcome, provider calls, queue depth, room states and lead times', async () => {
    const programme = oneDay([{ id: 's1', start: '09:00', end: '10:00' }], { id: 'm', date: '2030-06-03' }) as { days: unknown[] };
    programme.days.push({ date: '2030-06-04', kind: 'conference', title: 'Conf', sessions: [{ id: 'c1', title: 'C', start: '10:00', end: '11:00' }] });
    await s.app.inject({ method: 'PUT', url: '/api/v1/events/m', headers: auth, payload: programme });
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/events/m/participants', headers: auth, payload: { participants: [{ name: 'A', email: 'a@m.example' }] } });
    const join = new URL(res.json().participants[0].links.join.s1).pathname;
    expect((await s.app.inject({ method: 'GET', url: join })).statusCode).toBe(302);
    expect((await s.app.inject({ method: 'GET', url: join.replace('/join/s1', '/join/c1') })).statusCode).toBe(403);
    await expect
      .poll(async () => (await s.app.inject({ method: 'GET', url: '/api/v1/events/m/provisioning', headers: auth })).json().rooms.map((r: { status: string }) => r.status), { timeout: 10_000 })
      .toEqual(['ready', 'ready']);

    const text = (await s.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/participant_joins_total\{provider="bbb",outcome="redirect"\} 1/);
    expect(text).toMatch(/participant_joins_total\{provider="none",outcome="too-early"\} 1/);
    expect(text).toMatch(/provider_request_duration_seconds_count\{provider="bbb",call="create",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/provider_request_duration_seconds_count\{provider="zoom",call="api",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/queue_jobs\{queue="bbb",state="waiting"\} 0/);
    expect(text).toMatch(/provisioning_rooms\{provider="zoom",status="ready"\} 1/);
    expect(text).toMatch(/room_ready_lead_seconds\{event="m",room="bbb-2030-06-03",provider="bbb"\} \d+/);
    expect(text).toMatch(/job_start_lag_seconds_count\{job="zoom.sync-webinar"\} 1/);
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  it('wants the token as a bearer when it is set, and stays public when it is not', async () => {
    const guarded = await createTestApp({ config: testConfig({ METRICS_TOKEN: 'metrics-token-0123456789abcdef' }) });
    try {
      const anonymous = await guarded.app.inject({ method: 'GET', url: '/metrics' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(anonymous.json().error).toMatch(/metrics bearer token/);
      expect((await guarded.app.inject({ method: 'GET', url: '/metrics', headers: auth })).statusCode).toBe(401);
      const ok = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789abcdef' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('http_request_duration_seconds');
      expect((await guarded.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
    expect((await s.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });
});
