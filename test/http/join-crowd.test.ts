import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneDay } from '../helpers/programme-fixtures.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';
import { auth } from '../helpers/test-app.js';
import { startBbbServer, type BbbSimulator } from '../fakes/bbb-server.js';

const clock = new TestClock('2030-06-03T07:00:00.000Z');
let bbb: BbbSimulator;
let a: Stack;
let b: Stack;
let joinPaths: string[] = [];

beforeAll(async () => {
  bbb = await startBbbServer();
  bbb.faults.latencyMs = 100;
  a = await startStack({ clock, bbb });
  // A second API process on the same Redis and key space: single flight must hold across processes.
  b = await startStack({ clock, bbb, prefix: a.prefix });
  await a.app.inject({
    method: 'PUT',
    url: '/api/v1/events/crowd',
    headers: auth,
    payload: oneDay([{ id: 's1', start: '09:00', end: '10:00' }], { id: 'crowd', date: '2030-06-03' }),
  });
  const participants = Array.from({ length: 500 }, (_, i) => ({ name: `Person ${i}`, email: `p${i}@crowd.example` }));
  const res = await a.app.inject({ method: 'POST', url: '/api/v1/events/crowd/participants', headers: auth, payload: { participants } });
  joinPaths = res.json().participants.map((p: { links: { join: Record<string, string> } }) => new URL(p.links.join.s1!).pathname);
});
afterAll(async () => {
  await b.close();
  await a.close();
  await bbb.close();
});

describe('a crowd arriving at once', () => {
  it('500 concurrent first joins across two processes cause exactly one create', async () => {
    const responses = await Promise.all(
      joinPaths.map((url, i) => (i % 2 === 0 ? a : b).app.inject({ method: 'GET', url })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(joinPaths.map(() => 302));
    expect(bbb.callCount('create')).toBe(1);
    const createTimes = new Set(responses.map((r) => new URL(r.headers.location as string).searchParams.get('createTime')));
    expect(createTimes.size).toBe(1);
    expect([...createTimes][0]).toBe(String(bbb.meetings.get('crowd--bbb-2030-06-03')?.createTime));
  });
});
