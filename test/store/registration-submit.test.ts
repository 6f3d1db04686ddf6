import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIRMATION_VALID_MS, type PendingRegistration } from '../../src/domain/registration.js';
import { luaScript } from '../../src/store/lua-script.js';
import { createRateLimiter, type RateHit } from '../../src/store/rate-limit-store.js';
import { keySpace, type KeySpace } from '../../src/store/redis.js';
import { createRegistrationStore, newRegistrationId, type RegistrationStore } from '../../src/store/registration-store.js';
import { OwnRedis } from '../helpers/own-redis.js';
import { deleteKeys, uniquePrefix } from '../helpers/redis-keys.js';

const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const EVENT = 'reg-store';
const TTL = CONFIRMATION_VALID_MS / 1000 + 3600;
const WINDOW = 60_000;

let prefix: string;
let keys: KeySpace;
let store: RegistrationStore;

beforeEach(() => {
  prefix = uniquePrefix('registration-submit');
  keys = keySpace(prefix);
  store = createRegistrationStore(redis, keys);
});
afterEach(async () => {
  await deleteKeys(redis, prefix);
});
afterAll(async () => {
  await redis.quit();
});

function pending(email: string): PendingRegistration {
  const at = '2030-05-01T10:00:00.000Z';
  return {
    id: newRegistrationId(),
    eventId: EVENT,
    name: 'Ana Example',
    email,
    language: 'en',
    consent: { version: 'v1', language: 'en', text: 'I agree', at },
    registeredAt: at,
    expiresAt: '2030-05-03T10:00:00.000Z',
  };
}

const limits = (ip: string, email: string, perClient = 20, perAddress = 1): RateHit[] => [
  { scope: 'register-client', subject: ip, limit: { max: perClient, windowMs: WINDOW } },
  { scope: 'register-address', subject: `${EVENT}\n${email}`, limit: { max: perAddress, windowMs: WINDOW } },
];

const pendingKey = (id: string) => keys.key('event', EVENT, 'registration', 'pending', id);

describe('registration submit (limits, lookups and the pending write in one step)', () => {
  it('stores a new address with its expiry and counts both limits', async () => {
    const entry = pending('ana@example.org');
    expect(await store.submit(entry, TTL, { limits: limits('198.51.100.1', 'ana@example.org') })).toEqual({ kind: 'saved' });
    expect(await store.pending(EVENT, entry.id)).toEqual(entry);
    expect(await redis.ttl(pendingKey(entry.id))).toBeGreaterThan(TTL - 5);
    // The address limit is 1: the same address again is refused, with nothing stored.
    const again = pending('ana@example.org');
    const refused = await store.submit(again, TTL, { limits: limits('198.51.100.2', 'ana@example.org') });
    expect(refused).toEqual({ kind: 'rate-limited', retryAfterSeconds: 60 });
    expect(await redis.exists(pendingKey(again.id))).toBe(0);
  });

  it('stops at the first limit over: a refused client does not spend the address budget', async () => {
    const limiter = createRateLimiter(redis, keys);
    const ip = '198.51.100.9';
    for (let i = 0; i < 2; i++) expect((await store.submit(pending(`p${i}@example.org`), TTL, { limits: limits(ip, `p${i}@example.org`, 2) })).kind).toBe('saved');
    expect((await store.submit(pending('late@example.org'), TTL, { limits: limits(ip, 'late@example.org', 2) })).kind).toBe('rate-limited');
    // The address was not counted while its client was refused: from another client it goes through.
    expect(await limiter.hitEach(limits('198.51.100.10', 'late@example.org'))).toEqual({ allowed: true });
    expect(await limiter.hitEach(limits('198.51.100.11', 'late@example.org'))).toMatchObject({ allowed: false });
  });

  it('reports a known participant and a waiting address without storing anything, or looks past the known one when asked', async () => {
    await redis.hset(keys.key('event', EVENT, 'emails'), 'known@example.org', 'p-known');
    const known = pending('Known@Example.org');
    expect(await store.submit(known, TTL)).toEqual({ kind: 'known', participantId: 'p-known' });
    expect(await redis.exists(pendingKey(known.id))).toBe(0);
    expect(await store.submit(known, TTL, { ignoreKnown: true })).toEqual({ kind: 'saved' });

    const admitted = await store.admit({ ...pending('wait@example.org'), participantId: 'p-wait', confirmedAt: '2030-05-01T11:00:00.000Z' }, 0);
    expect(admitted.kind).toBe('waitlisted');
    const waiting = pending('wait@example.org');
    const result = await store.submit(waiting, TTL);
    expect(result).toMatchObject({ kind: 'waiting', entry: { participantId: 'p-wait', email: 'wait@example.org' } });
    expect(await redis.exists(pendingKey(waiting.id))).toBe(0);
  });

  it('makes registration ids of the documented shape, all different', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newRegistrationId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^r-[a-z0-9]{16}$/);
  });
});

describe('luaScript', () => {
  let own: OwnRedis | undefined;
  afterAll(async () => {
    await own?.destroy();
  });

  it('runs by SHA after the first call and survives a server that forgot its scripts (NOSCRIPT)', async () => {
    // A private server: SCRIPT FLUSH on the shared one would pull scripts from under everyone else.
    own = await OwnRedis.create();
    await own.start();
    const client = new Redis(own.url);
    const monitor = new Redis(own.url);
    try {
      const incr = luaScript<number>(client, "return redis.call('INCRBY', KEYS[1], ARGV[1])");
      // Defining the same script again (a second store on one connection) shares the definition.
      const twin = luaScript<number>(client, "return redis.call('INCRBY', KEYS[1], ARGV[1])");
      const seen: string[] = [];
      const watching = await monitor.monitor();
      watching.on('monitor', (_time: string, args: string[]) => seen.push(String(args[0]).toLowerCase()));
      await new Promise((r) => setTimeout(r, 100));
      expect(await incr(['n'], [2])).toBe(2);
      expect(await twin(['n'], [3])).toBe(5);
      await client.script('FLUSH');
      expect(await incr(['n'], [1])).toBe(6);
      await new Promise((r) => setTimeout(r, 100));
      watching.disconnect();
      expect(seen.filter((c) => c === 'eval' || c === 'evalsha')).toEqual(['eval', 'evalsha', 'evalsha', 'eval']);
    } finally {
      client.disconnect();
      monitor.disconnect();
    }
  });
});
