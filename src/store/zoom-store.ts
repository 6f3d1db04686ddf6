import type { Redis } from 'ioredis';
import { z } from 'zod';
import { immediate, type Durability } from './durability.js';
import { deleteMatching, type KeySpace } from './redis.js';
import { wallClock } from '../clock.js';

/**
 * `email` is what Zoom's daily-limit refusal names a registrant by; erasure drops it from a registration whose
 * cancel has not reached Zoom yet, which the registrant id alone is enough for.
 */
export const registrationSchema = z.object({ registrantId: z.string(), joinUrl: z.string(), email: z.string().optional() });
export type Registration = z.infer<typeof registrationSchema>;

/**
 * A registrant Zoom refused for today (its per-registrant daily limit): nobody else waits for them. `jobId` is the
 * delayed batch job that owns their claim and adds them at `retryAt`.
 */
export const heldRegistrantSchema = z.object({ retryAt: z.iso.datetime(), reason: z.string(), jobId: z.string() });
export type HeldRegistrant = z.infer<typeof heldRegistrantSchema>;

/**
 * What this service knows about one webinar's registrants and panelists. Every add request to Zoom is
 * first written down as in flight, so a worker that dies mid-call leaves a trace that the next attempt
 * reconciles against Zoom's own list instead of adding the same people again (Zoom allows three adds per
 * registrant and UTC day).
 */
export interface ZoomStore {
  registrations(eventId: string, roomId: string, participantIds: readonly string[]): Promise<Map<string, Registration>>;
  allRegistrations(eventId: string, roomId: string): Promise<Map<string, Registration>>;
  saveRegistrations(eventId: string, roomId: string, entries: ReadonlyMap<string, Registration>): Promise<void>;
  /**
   * After Zoom cancelled them: the registrations go, and for each not erased meanwhile only its registrant id stays
   * under the participant id, the one tie left between that person and what Zoom's notifications recorded.
   */
  retireRegistrations(eventId: string, roomId: string, participantIds: readonly string[]): Promise<void>;
  /** Registrant ids of this participant's cancelled registrations (no name or address). */
  retiredRegistrants(eventId: string, roomId: string, participantId: string): Promise<string[]>;
  /**
   * Erasure: drops the retired registrant ids and the address of a registration still waiting for its cancel.
   * True when something went.
   */
  forgetParticipant(eventId: string, roomId: string, participantId: string): Promise<boolean>;

  /** Marks participants as handed to a batch job; returns those not already queued. */
  claimQueued(eventId: string, roomId: string, participantIds: readonly string[], jobId: string): Promise<string[]>;
  /** With `ownerJobId`, only the claims that job holds: a claim handed on to another job stays. */
  releaseQueued(eventId: string, roomId: string, participantIds: readonly string[], ownerJobId?: string): Promise<void>;
  /** Claims by participant: the batch job named and when it was claimed (0 when unknown). */
  queuedClaims(eventId: string, roomId: string): Promise<Map<string, { jobId: string; at: number }>>;

  markInFlight(eventId: string, roomId: string, participantIds: readonly string[], utcDay: string): Promise<void>;
  inFlight(eventId: string, roomId: string, participantIds: readonly string[]): Promise<string[]>;
  clearInFlight(eventId: string, roomId: string, participantIds: readonly string[], refundDay?: string): Promise<void>;
  addsToday(eventId: string, roomId: string, participantIds: readonly string[], utcDay: string): Promise<Map<string, number>>;

  /** Records the hold and hands each person's claim to the job that retries them, in one step. */
  holdBack(eventId: string, roomId: string, entries: ReadonlyMap<string, HeldRegistrant>): Promise<void>;
  heldBack(eventId: string, roomId: string): Promise<Map<string, HeldRegistrant>>;
  releaseHeld(eventId: string, roomId: string, participantIds: readonly string[]): Promise<void>;

  savePanelists(eventId: string, roomId: string, joinUrlsByEmail: ReadonlyMap<string, string>): Promise<void>;
  panelistJoinUrl(eventId: string, roomId: string, email: string): Promise<string | undefined>;
  panelistEmails(eventId: string, roomId: string): Promise<Set<string>>;
  registration(eventId: string, roomId: string, participantId: string): Promise<Registration | undefined>;

  /**
   * Planning generations of one webinar's registrant sync: a sync job older than the room's current one
   * leaves the work to the newer. Per room, since every conference day is its own webinar.
   */
  nextSeq(eventId: string, roomId: string): Promise<number>;
  currentSeq(eventId: string, roomId: string): Promise<number>;
  clear(eventId: string, roomId: string): Promise<void>;
}

const DAY_TTL_SECONDS = 2 * 24 * 3600;

/**
 * The room's counter starts above the event-wide one earlier versions kept (`zoom:{eventId}:seq`), so a
 * seq, and with it a sync job id BullMQ may still hold as completed, is never issued twice; taking the
 * maximum also keeps ids unique while workers of both versions run side by side.
 */
// Claims are `jobId|claimedAtMs` (older ones just `jobId`).
const RELEASE_OWNED = `
local released = 0
for i = 2, #ARGV do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  if v and (v == ARGV[1] or string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. '|') then
    redis.call('HDEL', KEYS[1], ARGV[i])
    released = released + 1
  end
end
return released
`;

// A registration erased before its cancel (no email left) needs no retired id: erasure is done with it.
const RETIRE = `
for i = 1, #ARGV do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  if v then
    redis.call('HDEL', KEYS[1], ARGV[i])
    local r = cjson.decode(v)
    if type(r.email) == 'string' then
      local ids = {}
      local old = redis.call('HGET', KEYS[2], ARGV[i])
      if old then ids = cjson.decode(old) end
      local known = false
      for _, id in ipairs(ids) do if id == r.registrantId then known = true end end
      if not known then table.insert(ids, r.registrantId) end
      redis.call('HSET', KEYS[2], ARGV[i], cjson.encode(ids))
    end
  end
end
return 0
`;

// In one step with RETIRE, so a cancel finishing during an erasure cannot write back an address or id it dropped.
const FORGET_PARTICIPANT = `
local gone = redis.call('HDEL', KEYS[2], ARGV[1])
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  local r = cjson.decode(v)
  if r.email ~= nil then
    r.email = nil
    redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(r))
    gone = gone + 1
  end
end
return gone
`;

const NEXT_SEQ = `
local room = tonumber(redis.call('GET', KEYS[1]) or '0')
local legacy = tonumber(redis.call('GET', KEYS[2]) or '0')
local next = math.max(room, legacy) + 1
redis.call('SET', KEYS[1], next)
return next
`;

export interface ZoomStoreOptions {
  /**
   * In-flight marks are what lets a retry ask Zoom instead of adding people twice: one lost in a failover
   * would make the next batch send them again, so the mark reaches a replica before the call goes out.
   */
  durability?: Durability;
}

export function createZoomStore(redis: Redis, keys: KeySpace, options: ZoomStoreOptions = {}): ZoomStore {
  const durability = options.durability ?? immediate;
  const k = (eventId: string, roomId: string, what: string) => keys.key('zoom', eventId, roomId, what);
  // Outside the room's own keys: clear() must not reset it, or new sync jobs would reuse old job ids.
  const seqKey = (eventId: string, roomId: string) => keys.key('zoom', eventId, 'seq', roomId);
  const legacySeqKey = (eventId: string) => keys.key('zoom', eventId, 'seq');
  const parse = (raw: string | null | undefined) => (raw ? registrationSchema.parse(JSON.parse(raw)) : undefined);

  return {
    async registrations(eventId, roomId, ids) {
      const out = new Map<string, Registration>();
      if (ids.length === 0) return out;
      const raws = await redis.hmget(k(eventId, roomId, 'registrants'), ...ids);
      ids.forEach((id, i) => {
        const value = parse(raws[i]);
        if (value) out.set(id, value);
      });
      return out;
    },
    async allRegistrations(eventId, roomId) {
      const all = await redis.hgetall(k(eventId, roomId, 'registrants'));
      return new Map(Object.entries(all).map(([id, raw]) => [id, registrationSchema.parse(JSON.parse(raw))]));
    },
    async saveRegistrations(eventId, roomId, entries) {
      if (entries.size === 0) return;
      const flat = [...entries].flatMap(([id, r]) => [id, JSON.stringify(r)]);
      await redis.hset(k(eventId, roomId, 'registrants'), ...flat);
    },
    async retireRegistrations(eventId, roomId, ids) {
      if (ids.length > 0) await redis.eval(RETIRE, 2, k(eventId, roomId, 'registrants'), k(eventId, roomId, 'retired'), ...ids);
    },
    async retiredRegistrants(eventId, roomId, participantId) {
      const raw = await redis.hget(k(eventId, roomId, 'retired'), participantId);
      return raw ? z.array(z.string()).parse(JSON.parse(raw)) : [];
    },
    async forgetParticipant(eventId, roomId, participantId) {
      return Number(await redis.eval(FORGET_PARTICIPANT, 2, k(eventId, roomId, 'registrants'), k(eventId, roomId, 'retired'), participantId)) > 0;
    },
    async claimQueued(eventId, roomId, ids, jobId) {
      const claimed: string[] = [];
      const key = k(eventId, roomId, 'queued');
      const value = `${jobId}|${wallClock.now().getTime()}`;
      const results = await Promise.all(ids.map((id) => redis.hsetnx(key, id, value)));
      results.forEach((ok, i) => ok === 1 && claimed.push(ids[i] ?? ''));
      return claimed;
    },
    async releaseQueued(eventId, roomId, ids, ownerJobId) {
      if (ids.length === 0) return;
      if (ownerJobId === undefined) await redis.hdel(k(eventId, roomId, 'queued'), ...ids);
      else await redis.eval(RELEASE_OWNED, 1, k(eventId, roomId, 'queued'), ownerJobId, ...ids);
    },
    async queuedClaims(eventId, roomId) {
      const raw = await redis.hgetall(k(eventId, roomId, 'queued'));
      return new Map(
        Object.entries(raw).map(([id, value]) => {
          const bar = value.lastIndexOf('|');
          return [id, bar === -1 ? { jobId: value, at: 0 } : { jobId: value.slice(0, bar), at: Number(value.slice(bar + 1)) || 0 }];
        }),
      );
    },
    async markInFlight(eventId, roomId, ids, utcDay) {
      const adds = k(eventId, roomId, `adds:${utcDay}`);
      const multi = redis.multi().hset(k(eventId, roomId, 'inflight'), ...ids.flatMap((id) => [id, utcDay]));
      for (const id of ids) multi.hincrby(adds, id, 1);
      await durability.confirm(() => multi.expire(adds, DAY_TTL_SECONDS).exec());
    },
    async inFlight(eventId, roomId, ids) {
      if (ids.length === 0) return [];
      const values = await redis.hmget(k(eventId, roomId, 'inflight'), ...ids);
      return ids.filter((_, i) => values[i] !== null);
    },
    async clearInFlight(eventId, roomId, ids, refundDay) {
      if (ids.length === 0) return;
      const multi = redis.multi().hdel(k(eventId, roomId, 'inflight'), ...ids);
      // A request Zoom refused outright (429) did not count against the registrant's daily adds.
      if (refundDay) for (const id of ids) multi.hincrby(k(eventId, roomId, `adds:${refundDay}`), id, -1);
      await multi.exec();
    },
    async addsToday(eventId, roomId, ids, utcDay) {
      const out = new Map<string, number>();
      if (ids.length === 0) return out;
      const values = await redis.hmget(k(eventId, roomId, `adds:${utcDay}`), ...ids);
      ids.forEach((id, i) => out.set(id, Number(values[i] ?? 0)));
      return out;
    },
    async holdBack(eventId, roomId, entries) {
      if (entries.size === 0) return;
      const held = [...entries].flatMap(([id, h]) => [id, JSON.stringify(heldRegistrantSchema.parse(h))]);
      const claims = [...entries].flatMap(([id, h]) => [id, `${h.jobId}|${wallClock.now().getTime()}`]);
      await redis.multi().hset(k(eventId, roomId, 'held'), ...held).hset(k(eventId, roomId, 'queued'), ...claims).exec();
    },
    async heldBack(eventId, roomId) {
      const all = await redis.hgetall(k(eventId, roomId, 'held'));
      return new Map(Object.entries(all).map(([id, raw]) => [id, heldRegistrantSchema.parse(JSON.parse(raw))]));
    },
    async releaseHeld(eventId, roomId, ids) {
      if (ids.length > 0) await redis.hdel(k(eventId, roomId, 'held'), ...ids);
    },
    async savePanelists(eventId, roomId, urls) {
      const key = k(eventId, roomId, 'panelists');
      const multi = redis.multi().del(key);
      if (urls.size > 0) multi.hset(key, ...[...urls].flat());
      await multi.exec();
    },
    async panelistJoinUrl(eventId, roomId, email) {
      return (await redis.hget(k(eventId, roomId, 'panelists'), email.trim().toLowerCase())) ?? undefined;
    },
    async panelistEmails(eventId, roomId) {
      return new Set(await redis.hkeys(k(eventId, roomId, 'panelists')));
    },
    async registration(eventId, roomId, participantId) {
      return parse(await redis.hget(k(eventId, roomId, 'registrants'), participantId));
    },
    async nextSeq(eventId, roomId) {
      return Number(await redis.eval(NEXT_SEQ, 2, seqKey(eventId, roomId), legacySeqKey(eventId)));
    },
    async currentSeq(eventId, roomId) {
      // A room not planned since the upgrade still runs on the event-wide counter its queued jobs came from.
      const [room, legacy] = await redis.mget(seqKey(eventId, roomId), legacySeqKey(eventId));
      return Number(room ?? legacy ?? 0);
    },
    async clear(eventId, roomId) {
      await deleteMatching(redis, k(eventId, roomId, '*'), 200);
    },
  };
}
