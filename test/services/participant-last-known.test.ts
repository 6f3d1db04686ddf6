import { describe, expect, it } from 'vitest';
import { signLink } from '../../src/domain/link-token.js';
import type { Participant } from '../../src/domain/participant.js';
import { programmeSchema } from '../../src/domain/programme.js';
import { createParticipantAccess, createParticipantCache } from '../../src/services/participant-access.js';
import type { StoredEvent } from '../../src/store/event-store.js';
import { oneDay } from '../helpers/programme-fixtures.js';
import { TestClock } from '../helpers/test-clock.js';

const KEY = { id: 'k1', secret: 'test-signing-secret-0123456789abcdefghij' };
const ana: Participant = { id: 'p-ana', eventId: 'evt', name: 'Ana', email: 'ana@example.org', role: 'participant', createdAt: '2024-01-01T00:00:00.000Z' };
const event: StoredEvent = { programme: programmeSchema.parse(oneDay([{ id: 's1', start: '09:00', end: '10:00' }])), version: 1, updatedAt: '2024-01-01T00:00:00.000Z' };
const outage = new Error("Stream isn't writeable and enableOfflineQueue options is false");

/** Redis as the access layer sees it: up, or failing every read (a failover). */
function world() {
  const clock = new TestClock('2024-02-05T07:00:00Z');
  let down = false;
  const cache = createParticipantCache({ clock });
  const access = createParticipantAccess({
    clock,
    cache,
    signingKeys: [KEY],
    events: { get: async () => (down ? Promise.reject(outage) : event) },
    participants: { lookup: async (_e, id) => (down ? Promise.reject(outage) : id === ana.id ? ana : undefined) },
  });
  return { clock, cache, access, setDown: (value: boolean) => (down = value) };
}

const token = (participantId: string) => signLink({ eventId: 'evt', participantId }, KEY);

describe('answers from what this process last read while Redis cannot be asked', () => {
  it('lets in someone it already let in, after the change listener dropped and past every TTL', async () => {
    const { clock, cache, access, setDown } = world();
    cache.clear(true);
    expect((await access.resolve(token(ana.id))).ok).toBe(true);
    // The subscriber lost its connection (the cache pauses), then Redis stops answering reads.
    cache.clear(false);
    setDown(true);
    clock.advance(60_000);
    const again = await access.resolve(token(ana.id));
    expect(again.ok && again.participant).toBe(ana);
    // The subscriber can be back a moment before the connection that reads.
    cache.clear(true);
    expect((await access.resolve(token(ana.id))).ok).toBe(true);
  });

  it('still fails for anyone it never read, for a participant changed meanwhile, and once the answer is too old', async () => {
    const { clock, cache, access, setDown } = world();
    cache.clear(true);
    await access.resolve(token(ana.id));
    cache.clear(false);
    setDown(true);
    await expect(access.resolve(token('p-nobody'))).rejects.toBe(outage);
    clock.advance(11 * 60_000);
    await expect(access.resolve(token(ana.id))).rejects.toBe(outage);

    const fresh = world();
    fresh.cache.clear(true);
    await fresh.access.resolve(token(ana.id));
    fresh.cache.invalidate({ eventId: 'evt', participantId: ana.id });
    fresh.setDown(true);
    await expect(fresh.access.resolve(token(ana.id))).rejects.toBe(outage);
  });

  it('keeps nothing aside when a change message could not be read while live', async () => {
    const { cache, access, setDown } = world();
    cache.clear(true);
    await access.resolve(token(ana.id));
    cache.clear(false);
    cache.clear(true);
    // An unreadable message while live: anything may have changed.
    cache.clear();
    setDown(true);
    expect(cache.lastKnown('evt', ana.id)).toBeUndefined();
  });
});
