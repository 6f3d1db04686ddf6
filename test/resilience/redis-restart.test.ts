import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { findLeaks, linkSecrets } from '../helpers/log-audit.js';
import { OwnRedis } from '../helpers/own-redis.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';
import { person, resilienceProgramme, sleep } from './fixtures.js';

/**
 * Redis with the append-only file on (as docker-compose runs it) goes away and comes back on the same
 * directory and port, once politely (SIGTERM) and once abruptly (SIGKILL, with appendfsync always).
 * The API process is not restarted: it must answer 503 (never 500) while Redis is gone and recover alone.
 */
const EVENT = 'redis-evt';
let own: OwnRedis;
let stack: Stack;
// Academy day 1, 09:05 Vienna: the opening session (BigBlueButton) is open for joining.
const clock = new TestClock('2030-06-04T07:05:00Z', true);
type Issued = { id: string; email: string; links: { page: string; join: Record<string, string> } };
const issued = new Map<string, Issued>();
let storedEvent: unknown;

const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  stack.app.inject({ method, url, ...(url.startsWith('/api/') ? { headers: auth } : {}), ...(payload ? { payload } : {}) });
const path = (url: string) => new URL(url).pathname;

async function redisPid(): Promise<number> {
  const probe = new Redis(own.url, { maxRetriesPerRequest: 1 });
  try {
    const info = await probe.info('server');
    return Number(/process_id:(\d+)/.exec(info)?.[1]);
  } finally {
    probe.disconnect();
  }
}

async function waitUntilGone(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(25);
  }
  throw new Error(`redis-server ${pid} did not exit`);
}

/** While Redis is down: readiness says so, and everything else fails as "try again" (503), never 500. */
async function checkWhileDown(): Promise<void> {
  await expect.poll(async () => (await inject('GET', '/readyz')).statusCode, { timeout: 5000, interval: 100 }).toBe(503);
  const someone = issued.values().next().value as Issued;
  const answers = await Promise.all([
    inject('GET', `/api/v1/events/${EVENT}`),
    inject('GET', `/api/v1/events/${EVENT}/provisioning`),
    inject('POST', `/api/v1/events/${EVENT}/participants`, { participants: [person(999)] }),
    inject('GET', path(someone.links.page)),
    inject('GET', path(someone.links.join['a1-open']!)),
  ]);
  for (const res of answers) {
    expect([200, 201, 302, 503], `${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
  }
  expect((await inject('GET', '/healthz')).statusCode).toBe(200);
}

/** After Redis is back: ready again without a restart, and everything stored before is still there and working. */
async function checkRecovered(): Promise<void> {
  await expect.poll(async () => (await inject('GET', '/readyz')).statusCode, { timeout: 10_000, interval: 100 }).toBe(200);
  const event = await inject('GET', `/api/v1/events/${EVENT}`);
  expect(event.statusCode).toBe(200);
  expect(event.json()).toEqual(storedEvent);
  const stored = await stack.deps.participantStore.list(EVENT);
  expect(stored.map((p) => p.email).sort()).toEqual([...issued.keys()].sort());
  // Same emails again: the same participants and links come back (nothing was re-created).
  const again = await inject('POST', `/api/v1/events/${EVENT}/participants`, { participants: [...issued.keys()].map((email) => ({ name: 'Again', email })) });
  expect(again.statusCode).toBe(201);
  for (const p of again.json().participants as Issued[]) expect(p.links).toEqual(issued.get(p.email)?.links);
  for (const p of [...issued.values()].filter((_, i) => i % 10 === 0)) {
    expect((await inject('GET', path(p.links.page))).statusCode).toBe(200);
    const join = await inject('GET', path(p.links.join['a1-open']!));
    expect(join.statusCode).toBe(302);
  }
}

beforeAll(async () => {
  own = await OwnRedis.create();
  await own.start();
  stack = await startStack({ clock, env: { REDIS_URL: own.url } });
  expect((await inject('PUT', `/api/v1/events/${EVENT}`, resilienceProgramme(EVENT))).statusCode).toBe(201);
  storedEvent = (await inject('GET', `/api/v1/events/${EVENT}`)).json();
  const res = await inject('POST', `/api/v1/events/${EVENT}/participants`, { participants: Array.from({ length: 60 }, (_, i) => person(i + 1, i === 0 ? 'moderator' : undefined)) });
  expect(res.statusCode).toBe(201);
  for (const p of res.json().participants as Issued[]) issued.set(p.email, p);
}, 30_000);

afterAll(async () => {
  await stack?.close().catch(() => undefined);
  await own?.destroy();
});

describe('Redis restart with the append-only file on', () => {
  it('survives a graceful stop (SIGTERM) and start on the same directory', { timeout: 40_000 }, async () => {
    expect((await inject('GET', '/readyz')).statusCode).toBe(200);
    await own.stop();
    await checkWhileDown();
    await own.start();
    await checkRecovered();
  });

  it('survives a crash (SIGKILL) with appendfsync always, keeping what was acknowledged just before', { timeout: 40_000 }, async () => {
    const admin = new Redis(own.url, { maxRetriesPerRequest: 1 });
    await admin.config('SET', 'appendfsync', 'always');
    admin.disconnect();
    const late = await inject('POST', `/api/v1/events/${EVENT}/participants`, { participants: [person(500), person(501)] });
    expect(late.statusCode).toBe(201);
    for (const p of late.json().participants as Issued[]) issued.set(p.email, p);
    const pid = await redisPid();
    // A redis-server this test started (OwnRedis), killed by its own pid.
    process.kill(pid, 'SIGKILL');
    await waitUntilGone(pid);
    await checkWhileDown();
    await own.start();
    await checkRecovered();
  });

  it('logged no secret or personal token meanwhile', () => {
    expect(findLeaks(stack.logs, linkSecrets([...issued.values()].map((p) => p.links.page)))).toEqual([]);
  });
});
