import { randomFillSync } from 'node:crypto';
import type { Redis } from 'ioredis';
import { normaliseEmail } from '../domain/participant.js';
import { confirmedRegistrantSchema, pendingRegistrationSchema, type ConfirmedRegistrant, type PendingRegistration } from '../domain/registration.js';
import { luaScript } from './lua-script.js';
import { participantEmailsKey } from './participant-store.js';
import { HIT_EACH_LUA, rateArguments, retryAfterSeconds, type RateHit } from './rate-limit-store.js';
import type { KeySpace } from './redis.js';

/** Where a confirmed address stands after the atomic capacity check. */
export type AdmitResult =
  | { kind: 'known'; participantId: string }
  | { kind: 'admitting'; entry: ConfirmedRegistrant }
  | { kind: 'waitlisted'; entry: ConfirmedRegistrant; position: number; fresh: boolean };

/** What became of a form submission (see `submit`). */
export type SubmitResult =
  | { kind: 'saved' }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'known'; participantId: string }
  | { kind: 'waiting'; entry: ConfirmedRegistrant };

export interface SubmitOptions {
  /** Counted first, in the same step; the first over its limit stops it (`rate-limited`, nothing stored). */
  limits?: readonly RateHit[];
  /** Look past the participant store's email map: the id found there turned out to have no live participant. */
  ignoreKnown?: boolean;
}

export interface RegistrationStore {
  /**
   * One atomic step and one round trip per form submission: counts the rate limits, then stores the pending
   * registration unless its address is already a participant's (`known`, with the id the participant store maps
   * it to) or on the waitlist (`waiting`).
   */
  submit(registration: PendingRegistration, ttlSeconds: number, options?: SubmitOptions): Promise<SubmitResult>;
  pending(eventId: string, registrationId: string): Promise<PendingRegistration | undefined>;
  /**
   * One atomic step per confirmation: a known participant stays who they are; otherwise a place is taken while
   * the live participants plus those being admitted are fewer than `capacity` and nobody waits, else the address
   * joins the end of the waitlist. `capacity` undefined: no limit.
   */
  admit(entry: ConfirmedRegistrant, capacity: number | undefined): Promise<AdmitResult>;
  /**
   * Moves waitlisted people into free places, first come first served, in one atomic step; returns everyone
   * being admitted (also those an earlier, interrupted call left behind), for the caller to create.
   */
  promote(eventId: string, capacity: number | undefined): Promise<ConfirmedRegistrant[]>;
  /** The participant exists now: the admission is done. */
  admitted(eventId: string, entry: ConfirmedRegistrant): Promise<void>;
  /** Takes a waitlisted person off the list (the organizer's DELETE); false when the id is not waiting. */
  withdraw(eventId: string, participantId: string): Promise<ConfirmedRegistrant | undefined>;
  /** In waitlist order. */
  waitlist(eventId: string): Promise<ConfirmedRegistrant[]>;
  waiting(eventId: string, participantId: string): Promise<{ entry: ConfirmedRegistrant; position: number } | undefined>;
  /** The form data and consent of a self-registered participant (kept for the organizer's records). */
  profile(eventId: string, participantId: string): Promise<ConfirmedRegistrant | undefined>;
  /** 1, 2, …: numbers the waitlist notices sent to one person. */
  nextNoticeNumber(eventId: string, participantId: string): Promise<number>;
  /** Erasure: the form data and consent of this person go (after they were withdrawn or revoked); false when none was kept. */
  forget(eventId: string, participantId: string): Promise<boolean>;
}

// A randomBytes call per id cost more than the rest of building a pending registration: ids take their 12 random
// bytes from a pool filled by the same CSPRNG 4 KiB at a time, each byte used once.
const idPool = Buffer.alloc(4092);
let idPoolUsed = idPool.length;

export function newRegistrationId(): string {
  if (idPoolUsed + 12 > idPool.length) {
    randomFillSync(idPool);
    idPoolUsed = 0;
  }
  const bytes = idPool.subarray(idPoolUsed, (idPoolUsed += 12));
  return `r-${bytes.toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 16)}`;
}

// Places taken: live participants (the participant store's email index) plus admissions whose participant is not
// created yet. Shared by both scripts below. KEYS[1] emails, KEYS[2] admitting.
const TAKEN = `
local function taken()
  local n = redis.call('HLEN', KEYS[1])
  for _, email in ipairs(redis.call('HKEYS', KEYS[2])) do
    if redis.call('HEXISTS', KEYS[1], email) == 0 then n = n + 1 end
  end
  return n
end
`;

// KEYS: emails, admitting, waitlist (zset email → order), waiting (email → entry), waiting ids (id → email),
// order counter, profiles (id → entry). ARGV: email, entry JSON, capacity (-1: none), participant id.
const ADMIT_SCRIPT = `${TAKEN}
local email = ARGV[1]
local known = redis.call('HGET', KEYS[1], email)
if known then return {'known', known} end
local admitting = redis.call('HGET', KEYS[2], email)
if admitting then return {'admitting', admitting} end
local waiting = redis.call('HGET', KEYS[4], email)
if waiting then return {'waitlisted', waiting, redis.call('ZRANK', KEYS[3], email) + 1, 0} end
local capacity = tonumber(ARGV[3])
redis.call('HSET', KEYS[7], ARGV[4], ARGV[2])
if (capacity < 0 or taken() < capacity) and redis.call('ZCARD', KEYS[3]) == 0 then
  redis.call('HSET', KEYS[2], email, ARGV[2])
  return {'admitting', ARGV[2]}
end
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[6]), email)
redis.call('HSET', KEYS[4], email, ARGV[2])
redis.call('HSET', KEYS[5], ARGV[4], email)
return {'waitlisted', ARGV[2], redis.call('ZRANK', KEYS[3], email) + 1, 1}
`;

// KEYS: emails, admitting, waitlist, waiting, waiting ids. ARGV: capacity (-1: none).
const PROMOTE_SCRIPT = `${TAKEN}
local capacity = tonumber(ARGV[1])
local n = taken()
while capacity < 0 or n < capacity do
  local first = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
  if not first then break end
  local entry = redis.call('HGET', KEYS[4], first)
  redis.call('ZREM', KEYS[3], first)
  redis.call('HDEL', KEYS[4], first)
  if entry then
    redis.call('HDEL', KEYS[5], cjson.decode(entry).participantId)
    -- Added by an organizer meanwhile: already a participant, nothing to admit.
    if redis.call('HEXISTS', KEYS[1], first) == 0 then
      redis.call('HSET', KEYS[2], first, entry)
      n = n + 1
    end
  end
end
return redis.call('HVALS', KEYS[2])
`;

// KEYS: admitting. ARGV: email, entry JSON: removed only if it is still this admission.
const ADMITTED_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1
`;

// KEYS: waitlist, waiting, waiting ids. ARGV: participant id.
const WITHDRAW_SCRIPT = `
local email = redis.call('HGET', KEYS[3], ARGV[1])
if not email then return false end
local entry = redis.call('HGET', KEYS[2], email)
redis.call('ZREM', KEYS[1], email)
redis.call('HDEL', KEYS[2], email)
redis.call('HDEL', KEYS[3], ARGV[1])
return entry
`;

// A form POST's whole Redis step but the confirmation message and its job: the limits (counted even for an address
// that turns out known, as before), then the lookups and the write, so no submission slips between them. The rate
// counters are not event keys: on Redis Cluster this script would need them in the event's hash slot.
// KEYS: emails, waiting (email → entry), the pending record, then the rate counters. ARGV: normalised email, record
// JSON, TTL seconds, '1' to look past the emails map, then window and max per counter.
const SUBMIT_SCRIPT = `${HIT_EACH_LUA}
local limited = hit_each(4, 5, #KEYS - 3)
if limited then return {'rate-limited', limited} end
if ARGV[4] ~= '1' then
  local known = redis.call('HGET', KEYS[1], ARGV[1])
  if known then return {'known', known} end
end
local waiting = redis.call('HGET', KEYS[2], ARGV[1])
if waiting then return {'waiting', waiting} end
redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
return {'saved'}
`;

const parseEntry = (raw: string) => confirmedRegistrantSchema.parse(JSON.parse(raw));

export function createRegistrationStore(redis: Redis, keys: KeySpace): RegistrationStore {
  const k = (eventId: string, ...parts: string[]) => keys.key('event', eventId, 'registration', ...parts);
  const emails = (eventId: string) => participantEmailsKey(keys, eventId);
  const queueKeys = (eventId: string) => [emails(eventId), k(eventId, 'admitting'), k(eventId, 'waitlist'), k(eventId, 'waiting'), k(eventId, 'waiting-ids')];
  const submitScript = luaScript<[string, (string | number)?]>(redis, SUBMIT_SCRIPT);
  const admitScript = luaScript<[string, string, number | undefined, number | undefined]>(redis, ADMIT_SCRIPT);
  const promoteScript = luaScript<string[]>(redis, PROMOTE_SCRIPT);
  const admittedScript = luaScript(redis, ADMITTED_SCRIPT);
  const withdrawScript = luaScript<string | null>(redis, WITHDRAW_SCRIPT);

  return {
    async submit(registration, ttlSeconds, options = {}) {
      const valid = pendingRegistrationSchema.parse(registration);
      const { eventId } = valid;
      const { counters, limits } = rateArguments(keys, options.limits ?? []);
      const [kind, value] = await submitScript(
        [emails(eventId), k(eventId, 'waiting'), k(eventId, 'pending', valid.id), ...counters],
        [normaliseEmail(valid.email), JSON.stringify(valid), Math.max(1, Math.ceil(ttlSeconds)), options.ignoreKnown ? '1' : '0', ...limits],
      );
      if (kind === 'rate-limited') return { kind, retryAfterSeconds: retryAfterSeconds(Number(value)) };
      if (kind === 'known') return { kind, participantId: String(value) };
      if (kind === 'waiting') return { kind, entry: parseEntry(String(value)) };
      return { kind: 'saved' };
    },
    async pending(eventId, registrationId) {
      const raw = await redis.get(k(eventId, 'pending', registrationId));
      return raw ? pendingRegistrationSchema.parse(JSON.parse(raw)) : undefined;
    },
    async admit(entry, capacity) {
      const valid = confirmedRegistrantSchema.parse(entry);
      const email = normaliseEmail(valid.email);
      const [kind, value, position, fresh] = await admitScript(
        [...queueKeys(valid.eventId), k(valid.eventId, 'order'), k(valid.eventId, 'profiles')],
        [email, JSON.stringify(valid), String(capacity ?? -1), valid.participantId],
      );
      if (kind === 'known') return { kind, participantId: value };
      if (kind === 'admitting') return { kind, entry: parseEntry(value) };
      return { kind: 'waitlisted', entry: parseEntry(value), position: Number(position), fresh: fresh === 1 };
    },
    async promote(eventId, capacity) {
      const raw = await promoteScript(queueKeys(eventId), [String(capacity ?? -1)]);
      return raw.map(parseEntry);
    },
    async admitted(eventId, entry) {
      await admittedScript([k(eventId, 'admitting')], [normaliseEmail(entry.email), JSON.stringify(entry)]);
    },
    async withdraw(eventId, participantId) {
      const raw = await withdrawScript([k(eventId, 'waitlist'), k(eventId, 'waiting'), k(eventId, 'waiting-ids')], [participantId]);
      return raw ? parseEntry(raw) : undefined;
    },
    async waitlist(eventId) {
      const order = await redis.zrange(k(eventId, 'waitlist'), 0, -1);
      if (order.length === 0) return [];
      const raw = await redis.hmget(k(eventId, 'waiting'), ...order);
      return raw.filter((r): r is string => r !== null).map(parseEntry);
    },
    async waiting(eventId, participantId) {
      const email = await redis.hget(k(eventId, 'waiting-ids'), participantId);
      if (!email) return undefined;
      const [raw, rank] = await Promise.all([redis.hget(k(eventId, 'waiting'), email), redis.zrank(k(eventId, 'waitlist'), email)]);
      return raw && rank !== null ? { entry: parseEntry(raw), position: rank + 1 } : undefined;
    },
    async profile(eventId, participantId) {
      const raw = await redis.hget(k(eventId, 'profiles'), participantId);
      return raw ? parseEntry(raw) : undefined;
    },
    async nextNoticeNumber(eventId, participantId) {
      return redis.hincrby(k(eventId, 'notices'), participantId, 1);
    },
    async forget(eventId, participantId) {
      const raw = await redis.hget(k(eventId, 'profiles'), participantId);
      const registrationId = raw ? parseEntry(raw).registrationId : undefined;
      const steps = redis.multi().hdel(k(eventId, 'profiles'), participantId).hdel(k(eventId, 'notices'), participantId);
      if (registrationId) steps.del(k(eventId, 'pending', registrationId));
      await steps.exec();
      return raw !== null;
    },
  };
}
