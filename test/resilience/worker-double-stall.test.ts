import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBbbServer, type BbbSimulator } from '../fakes/bbb-server.js';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { ChildService } from '../helpers/child-service.js';
import { findLeaks, linkSecrets } from '../helpers/log-audit.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { recoverStalledJobs } from '../helpers/stall-sweep.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';
import { childEnv, childPrefix, person, REDIS_URL, resilienceProgramme } from './fixtures.js';

/**
 * The deterministic worst case of the random kill trials: the same registration batch loses its worker
 * twice — first while Zoom's answer to the batch add is on the way back, then while the retry asks Zoom
 * which of those people it already has. The stall sweep runs with maxStalledCount 1, so the second stall
 * fails the job: the same end state as a job that used up the allowance of workers/worker.ts (3).
 */
const EVENT = 'stall-evt';
let bbb: BbbSimulator;
let zoom: ZoomSimulator;
let proxy: RecordingProxy;
let stack: Stack;
const prefix = childPrefix('stall');
const childLogs: string[] = [];
let env: Record<string, string>;
let issued: Array<{ email: string; links: { page: string; join: Record<string, string> } }> = [];

beforeAll(async () => {
  bbb = await startBbbServer();
  zoom = await startZoomServer({ plan: 'business' });
  proxy = await startRecordingProxy(zoom.origin);
  env = childEnv({ prefix, bbbUrl: bbb.url, zoomUrl: proxy.url });
  stack = await startStack({
    bbb,
    prefix,
    clock: new TestClock('2030-06-03T07:50:00Z', true),
    env: { ZOOM_ACCOUNT_ID: env.ZOOM_ACCOUNT_ID!, ZOOM_CLIENT_ID: env.ZOOM_CLIENT_ID!, ZOOM_CLIENT_SECRET: env.ZOOM_CLIENT_SECRET!, ZOOM_API_URL: env.ZOOM_API_URL!, ZOOM_OAUTH_URL: env.ZOOM_OAUTH_URL! },
  });
});

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
  await zoom?.close();
  await bbb?.close();
});

/** Starts a worker and SIGKILLs it as soon as the proxy has Zoom's answer to a call matching `when`. */
async function killDuring(when: (method: string, path: string) => boolean): Promise<string> {
  const worker = new ChildService('src/server.ts', { ...env, ROLE: 'worker' }, childLogs);
  let hit = '';
  proxy.beforeReply = async (call) => {
    if (!when(call.method, call.path)) return;
    proxy.beforeReply = undefined;
    hit = `${call.method} ${call.path}`;
    await worker.stop('SIGKILL');
  };
  // The kill may land before the worker has logged that it started: that is a kill like any other.
  await worker.waitUntilStarted().catch((error: unknown) => {
    if (!hit) throw error;
  });
  const deadline = Date.now() + 15_000;
  while (worker.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  proxy.beforeReply = undefined;
  if (worker.running) await worker.stop('SIGKILL');
  await recoverStalledJobs(REDIS_URL, prefix);
  return hit;
}

describe('a registration batch whose worker dies twice', () => {
  let survivor: ChildService | undefined;
  afterAll(async () => {
    await survivor?.stop('SIGTERM');
  });

  it('set-up: Zoom registered the batch, then the worker died twice inside that one job', { timeout: 45_000 }, async () => {
    expect((await stack.app.inject({ method: 'PUT', url: `/api/v1/events/${EVENT}`, headers: auth, payload: resilienceProgramme(EVENT) })).statusCode).toBe(201);
    const res = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/events/${EVENT}/participants`,
      headers: auth,
      payload: { participants: Array.from({ length: 30 }, (_, i) => person(i + 1)) },
    });
    expect(res.statusCode).toBe(201);
    issued = res.json().participants;

    expect(await killDuring((m, p) => m === 'POST' && p.endsWith('/batch_registrants'))).toMatch(/batch_registrants/);
    expect(await killDuring((m, p) => m === 'GET' && /\/registrants(\?|$)/.test(p))).toMatch(/registrants/);
    const webinarId = Number((await stack.deps.roomStates.get(EVENT, 'zoom-2030-06-03'))?.webinarId);
    // Zoom itself got everyone with the first (answer-lost) call.
    expect(zoom.state.registrants.get(webinarId)?.length).toBe(30);

    survivor = new ChildService('src/server.ts', { ...env, ROLE: 'worker' }, childLogs);
    await survivor.waitUntilStarted();
    // One more arrival: an ordinary trigger for the registration planner to look at everyone again.
    const more = await stack.app.inject({ method: 'POST', url: `/api/v1/events/${EVENT}/participants`, headers: auth, payload: { participants: [person(31)] } });
    expect(more.statusCode).toBe(201);
    issued.push(...more.json().participants);
  });

  // BullMQ fails the twice-stalled job without running the processor, so the job never releases its claims
  // in zoom:<event>:<room>:queued; the planner must release claims of failed jobs and plan those people again.
  it('every attendee ends up registered with the service and can join', { timeout: 30_000 }, async () => {
    try {
      await expect
        .poll(async () => stack.deps.redis.hlen(`${prefix}:zoom:${EVENT}:zoom-2030-06-03:registrants`), { timeout: 12_000, interval: 250 })
        .toBe(31);
      const join = await stack.app.inject({ method: 'GET', url: new URL(issued[0]!.links.join['c-opening']!).pathname });
      expect(join.statusCode).toBe(302);
    } finally {
      const failed = await stack.deps.queues.get('zoom-registrants').getFailed();
      if (failed.length > 0) console.log(`[resilience] failed registration jobs: ${failed.map((j) => `${j.id}: ${j.failedReason}`).join('; ')}`);
    }
  });

  it('wrote no secret, personal token or signed provider URL to any log', () => {
    const registrantTokens = [...zoom.state.registrants.values()].flat().map((r) => r.token);
    expect(findLeaks([...stack.logs, ...childLogs], [...linkSecrets(issued.map((p) => p.links.page)), ...registrantTokens])).toEqual([]);
  });
});
