import { describe, expect, it } from 'vitest';
import type { Participant } from '../../src/domain/participant.js';
import { createParticipantCache } from '../../src/services/participant-access.js';

const person = (id: string, name = 'Ana'): Participant => ({ id, eventId: 'e', name, email: `${id}@example.org`, role: 'participant', createdAt: '2030-01-01T00:00:00.000Z' });

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('participant cache', () => {
  it('keeps nothing while not live, and nothing read before an invalidation that overtook the read', async () => {
    const cache = createParticipantCache();
    await cache.load('e', 'p1', async () => person('p1'));
    expect(cache.get('e', 'p1')).toBeUndefined();

    cache.clear(true);
    const slow = deferred<Participant>();
    const loading = cache.load('e', 'p1', () => slow.promise);
    cache.invalidate({ eventId: 'e', participantId: 'p1' });
    slow.resolve(person('p1', 'Old'));
    expect((await loading) as Participant).toMatchObject({ name: 'Old' });
    expect(cache.get('e', 'p1')).toBeUndefined();

    await cache.load('e', 'p1', async () => 'revoked');
    expect(cache.get('e', 'p1')).toBe('revoked');
    await cache.load('e', 'p2', async () => undefined);
    expect(cache.size).toBe(1);
  });

  it('forgets entries after the TTL and evicts the oldest beyond its bound', async () => {
    let now = 0;
    const cache = createParticipantCache({ maxEntries: 2, ttlMs: 1000, clock: { now: () => new Date(now) } });
    cache.clear(true);
    for (const id of ['p1', 'p2', 'p3']) await cache.load('e', id, async () => person(id));
    expect([cache.get('e', 'p1'), cache.get('e', 'p2'), cache.get('e', 'p3')].map((p) => (p as Participant | undefined)?.id)).toEqual([undefined, 'p2', 'p3']);
    now = 1000;
    expect(cache.get('e', 'p2')).toBeUndefined();
  });

  it('drops everything and pauses when told the change feed is down', async () => {
    const cache = createParticipantCache();
    cache.clear(true);
    await cache.load('e', 'p1', async () => person('p1'));
    cache.clear(false);
    expect(cache.size).toBe(0);
    expect(cache.live).toBe(false);
  });
});
