import type { Redis } from 'ioredis';
import { z } from 'zod';
import { deleteMatching, type KeySpace } from './redis.js';

export const registrationSchema = z.object({ registrantId: z.string(), joinUrl: z.string(), email: z.string() });
export type Registration = z.infer<typeof registrationSchema>;

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
  removeRegistrations(eventId: string, roomId: string, participantIds: readonly string[]): Promise<void>;

  /** Marks participants as handed to a batch job; returns those not already queued. */
  claimQueued(eventId: string, roomId: string, participantIds: readonly string[], jobId: string): Promise<string[]>;
  releaseQueued(eventId: string, roomId: string, participantIds: readonly string[]): Promise<void>;
  /** Claims by participant: the batch job named and when it was claimed (0 when unknown). */
  queuedClaims(eventId: string, roomId: string): Promise<Map<string, { jobId: string; at: number }>>;

  markInFlight(eventId: string, roomId: string, participantIds: readonly string[], utcDay: string): Promise<void>;
  inFlight(eventId: string, roomId: string, participantIds: readonly string[]): Promise<string[]>;
  clearInFlight(eventId: string, roomId: string, participantIds: readonly string[], refundDay?: string): Promise<void>;
  addsToday(eventId: string, roomId: string, participantIds: readonly string[], utcDay: string): Promise<Map<string, number>>;

  savePanelists(eventId: string, roomId: string, joinUrlsByEmail: ReadonlyMap<string, string>): Promise<void>;
  panelistJoinUrl(eventId: string, roomId: string, email: string): Promise<string | undefined>;
  panelistEmails(eventId: string, roomId: string): Promise<Set<string>>;
  registration(eventId: string, roomId: string, participantId: string): Promise<Registration | undefined>;

  nextSeq(eventId: string): Promise<number>;
  currentSeq(eventId: string): Promise<number>;
  clear(eventId: string, roomId: string): Promise<void>;
}

const DAY_TTL_SECONDS = 2 * 24 * 3600;

export function createZoomStore(redis: Redis, keys: KeySpace): ZoomStore {
  const k = (eventId: string, roomId: string, what: string) => keys.key('zoom', eventId, roomId, what);
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
    async removeRegistrations(eventId, roomId, ids) {
      if (ids.length > 0) await redis.hdel(k(eventId, roomId, 'registrants'), ...ids);
    },
    async claimQueued(eventId, roomId, ids, jobId) {
      const claimed: string[] = [];
      const key = k(eventId, roomId, 'queued');
      const value = `${jobId}|${Date.now()}`;
      const results = await Promise.all(ids.map((id) => redis.hsetnx(key, id, value)));
      results.forEach((ok, i) => ok === 1 && claimed.push(ids[i] ?? ''));
      return claimed;
    },
    async releaseQueued(eventId, roomId, ids) {
      if (ids.length > 0) await redis.hdel(k(eventId, roomId, 'queued'), ...ids);
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
      await multi.expire(adds, DAY_TTL_SECONDS).exec();
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
    async nextSeq(eventId) {
      return redis.incr(keys.key('zoom', eventId, 'seq'));
    },
    async currentSeq(eventId) {
      return Number((await redis.get(keys.key('zoom', eventId, 'seq'))) ?? 0);
    },
    async clear(eventId, roomId) {
      await deleteMatching(redis, k(eventId, roomId, '*'), 200);
    },
  };
}
