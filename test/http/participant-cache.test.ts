import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBbbServer, type BbbSimulator } from '../fakes/bbb-server.js';
import { oneDay } from '../helpers/programme-fixtures.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';

// Two API processes on one Redis and key space, each with its own participant cache and subscriber.
const clock = new TestClock('2030-06-03T07:00:00.000Z');
let bbb: BbbSimulator;
let a: Stack;
let b: Stack;

beforeAll(async () => {
  bbb = await startBbbServer();
  a = await startStack({ clock, bbb });
  b = await startStack({ clock, bbb, prefix: a.prefix });
  const put = await a.app.inject({
    method: 'PUT',
    url: '/api/v1/events/cached',
    headers: auth,
    payload: oneDay([{ id: 's1', start: '09:00', end: '10:00' }], { id: 'cached', date: '2030-06-03' }),
  });
  expect(put.statusCode).toBe(201);
  // The listeners go live once their SUBSCRIBE is acknowledged; until then nothing is cached at all.
  await vi.waitFor(() => expect(a.deps.participantCache.live && b.deps.participantCache.live).toBe(true));
});
afterAll(async () => {
  await b.close();
  await a.close();
  await bbb.close();
});

async function register(email: string, name = 'Cached Person') {
  const res = await a.app.inject({ method: 'POST', url: '/api/v1/events/cached/participants', headers: auth, payload: { participants: [{ name, email }] } });
  expect(res.statusCode).toBe(201);
  const p = res.json().participants[0] as { id: string; links: { join: Record<string, string> } };
  return { id: p.id, join: new URL(p.links.join.s1!).pathname };
}

const join = (stack: Stack, url: string) => stack.app.inject({ method: 'GET', url });

describe('participant cache across processes', () => {
  it('a revoke through process A is answered 410 by process B within 100 ms', async () => {
    const p = await register('revoke-across@example.org');
    for (const stack of [a, b]) {
      expect((await join(stack, p.join)).statusCode).toBe(302);
      expect(stack.deps.participantCache.get('cached', p.id)).toMatchObject({ id: p.id });
    }

    const del = await a.app.inject({ method: 'DELETE', url: `/api/v1/events/cached/participants/${p.id}`, headers: auth });
    expect(del.statusCode).toBe(204);
    // Process A dropped its own entry before answering the DELETE, without waiting for its message.
    expect((await join(a, p.join)).statusCode).toBe(410);

    const revokedAt = Date.now();
    await expect.poll(async () => (await join(b, p.join)).statusCode, { timeout: 100, interval: 2 }).toBe(410);
    expect(Date.now() - revokedAt).toBeLessThan(100);
  });

  it('a renamed participant joins process B under the new name', async () => {
    const p = await register('rename-across@example.org', 'Old Name');
    const fullName = async () => new URL((await join(b, p.join)).headers.location as string).searchParams.get('fullName');
    expect(await fullName()).toBe('Old Name');
    await register('rename-across@example.org', 'New Name');
    await expect.poll(fullName, { timeout: 100, interval: 2 }).toBe('New Name');
  });

  it('drops and pauses the cache while its subscriber reconnects, so a missed message cannot keep a link alive', async () => {
    const p = await register('missed-message@example.org');
    expect((await join(b, p.join)).statusCode).toBe(302);
    // A revoke whose message B never receives (as if published while B's subscriber was away).
    await b.deps.redis.hset(`${b.prefix}:event:cached:participants`, p.id, 'revoked');
    expect((await join(b, p.join)).statusCode).toBe(302);

    // Both processes' subscribers share the name (same key space); the server drops both connections.
    const clients = String(await b.deps.redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).split('\n');
    const ids = clients.filter((l) => l.includes(` name=${b.prefix}:participant-changes `)).map((l) => l.match(/\bid=(\d+)/)?.[1]);
    expect(ids).toHaveLength(2);
    for (const id of ids) await b.deps.redis.call('CLIENT', 'KILL', 'ID', id!);

    await vi.waitFor(() => expect(b.deps.participantCache.live).toBe(false));
    expect(b.deps.participantCache.size).toBe(0);
    expect((await join(b, p.join)).statusCode).toBe(410);
    await vi.waitFor(() => expect(b.deps.participantCache.live).toBe(true), { timeout: 5000 });
    expect((await join(b, p.join)).statusCode).toBe(410);
  });
});
