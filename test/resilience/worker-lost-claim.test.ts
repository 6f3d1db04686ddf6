import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBbbServer, type BbbSimulator } from '../fakes/bbb-server.js';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { findLeaks, linkSecrets } from '../helpers/log-audit.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';
import type { RunningWorker } from '../../src/workers/job-runner.js';
import { person, resilienceProgramme } from './fixtures.js';

/**
 * workers/processors/zoom-sync-registrants.ts claims people for a batch (`claimQueued`, one Redis write) and
 * then enqueues the batch job (`queues.enqueue`, another). A worker SIGKILLed between the two leaves claims
 * that name a job that does not exist. The random kill trials hit this window under load; here the state
 * that kill leaves behind is written directly, then the service gets every ordinary chance to recover.
 */
const EVENT = 'claim-evt';
const ROOM = 'zoom-2030-06-03';
let bbb: BbbSimulator;
let zoom: ZoomSimulator;
let stack: Stack;
let worker: RunningWorker | undefined;
let issued: Array<{ id: string; links: { page: string; join: Record<string, string> } }> = [];
const key = (what: string) => `${stack.prefix}:zoom:${EVENT}:${ROOM}:${what}`;

beforeAll(async () => {
  bbb = await startBbbServer();
  zoom = await startZoomServer({ plan: 'business' });
  stack = await startStack({ bbb, zoom, clock: new TestClock('2030-06-03T07:50:00Z', true) });
});

afterAll(async () => {
  await worker?.close();
  await stack?.close();
  await zoom?.close();
  await bbb?.close();
});

describe('people claimed for a batch job that was never enqueued (worker died in between)', () => {
  it('set-up: the crash leftovers are in place and registration otherwise works', { timeout: 30_000 }, async () => {
    expect((await stack.app.inject({ method: 'PUT', url: `/api/v1/events/${EVENT}`, headers: auth, payload: resilienceProgramme(EVENT) })).statusCode).toBe(201);
    const res = await stack.app.inject({ method: 'POST', url: `/api/v1/events/${EVENT}/participants`, headers: auth, payload: { participants: Array.from({ length: 30 }, (_, i) => person(i + 1)) } });
    expect(res.statusCode).toBe(201);
    issued = res.json().participants;
    // What claimQueued wrote just before the worker died: the job id it was about to enqueue.
    await stack.deps.redis.hset(key('queued'), ...issued.flatMap((p) => [p.id, `zoom.register-batch.${EVENT}.${ROOM}.0123456789abcdef0123`]));

    worker = await stack.startWorker();
    await expect.poll(async () => (await stack.deps.roomStates.get(EVENT, ROOM))?.status, { timeout: 15_000, interval: 100 }).toBe('ready');
    // A later arrival is registered: the pipeline itself works.
    const more = await stack.app.inject({ method: 'POST', url: `/api/v1/events/${EVENT}/participants`, headers: auth, payload: { participants: [person(31)] } });
    expect(more.statusCode).toBe(201);
    const latecomer = (more.json().participants as Array<{ id: string }>)[0]!.id;
    await expect.poll(async () => stack.deps.redis.hexists(key('registrants'), latecomer), { timeout: 10_000, interval: 100 }).toBe(1);
  });

  // The planner must release claims that name a job that does not exist (past a short grace period) and plan
  // those people again; otherwise they never get a Zoom registration or a working join link.
  it('the claimed people are registered too', { timeout: 20_000 }, async () => {
    const more = await stack.app.inject({ method: 'POST', url: `/api/v1/events/${EVENT}/participants`, headers: auth, payload: { participants: [person(32)] } });
    expect(more.statusCode).toBe(201);
    await expect.poll(async () => stack.deps.redis.hlen(key('registrants')), { timeout: 8_000, interval: 200 }).toBe(32);
  });

  it('logged no secret, personal token or signed provider URL', () => {
    const registrantTokens = [...zoom.state.registrants.values()].flat().map((r) => r.token);
    expect(findLeaks(stack.logs, [...linkSecrets(issued.map((p) => p.links.page)), ...registrantTokens])).toEqual([]);
  });
});
