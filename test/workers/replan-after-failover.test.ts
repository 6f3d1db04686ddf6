import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/logger.js';
import { keySpace } from '../../src/store/redis.js';
import { createReconcileLoop } from '../../src/workers/reconcile-loop.js';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { deleteKeys, uniquePrefix } from '../helpers/redis-keys.js';
import { startStack, zoomEnv, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';
import { resilienceProgramme } from '../resilience/fixtures.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const EVENT = 'replan-evt';
let zoom: ZoomSimulator;
let stack: Stack;

beforeAll(async () => {
  zoom = await startZoomServer({ plan: 'business' });
  // A week before the event: every warm-up is a delayed job, nothing runs (no worker here).
  stack = await startStack({ zoom, clock: new TestClock('2030-05-27T08:00:00Z'), env: zoomEnv(zoom) });
});

afterAll(async () => {
  await stack?.close();
  await zoom?.close();
});

describe('re-planning after Redis lost jobs (a failover can)', () => {
  it('enqueues again the very jobs the rooms are planned with when they are gone', async () => {
    expect((await stack.app.inject({ method: 'PUT', url: `/api/v1/events/${EVENT}`, headers: auth, payload: resilienceProgramme(EVENT) })).statusCode).toBe(201);
    const planned = (await stack.deps.roomStates.list(EVENT)).filter((r) => r.jobId);
    expect(planned.map((r) => r.provider).sort()).toEqual(['bbb', 'bbb', 'bbb', 'zoom']);
    for (const room of planned) await (await stack.deps.queues.get(room.provider).getJob(room.jobId!))!.remove();

    await stack.deps.provisioning.reconcile((await stack.deps.eventStore.get(EVENT))!);
    for (const room of planned) expect(await stack.deps.queues.get(room.provider).getJob(room.jobId!), room.id).toBeDefined();
    expect((await stack.deps.roomStates.list(EVENT)).map((r) => r.jobId).sort()).toEqual(planned.map((r) => r.jobId).sort());
  });
});

describe('the re-planning loop', () => {
  const logger = createLogger('silent');
  const redis = new Redis(REDIS_URL);
  const keys = keySpace(uniquePrefix('replan-loop'));
  afterAll(async () => {
    await deleteKeys(redis, keys.prefix);
    redis.disconnect();
  });

  it('runs once per period across workers (a lease), and once more after a lost connection comes back', async () => {
    const runs: string[] = [];
    const loops = ['a', 'b'].map((name) =>
      createReconcileLoop({ redis, keys, logger, intervalMs: 400, afterReconnectMs: 50, reconcileAll: async () => void runs.push(name) }),
    );
    await loops[0]!.runAtStart();
    expect(runs).toEqual(['a']);
    for (const loop of loops) loop.start();
    await new Promise((r) => setTimeout(r, 1500));
    // About three periods of 400 ms (±10 %), each taken by one of the two loops.
    const periodic = runs.length - 1;
    expect(periodic).toBeGreaterThanOrEqual(2);
    expect(periodic).toBeLessThanOrEqual(4);

    const before = runs.length;
    redis.emit('close');
    redis.emit('ready');
    await new Promise((r) => setTimeout(r, 200));
    // Both workers re-plan after their connection is back: the lease is for the periodic run only.
    expect(runs.length - before).toBeGreaterThanOrEqual(2);
    await Promise.all(loops.map((l) => l.stop()));
    const stopped = runs.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(runs.length).toBe(stopped);
  });
});
