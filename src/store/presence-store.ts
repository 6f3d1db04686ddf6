import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { extendPolled, type Interval, type PolledPresence } from '../domain/attendance.js';
import { globLiteral, scanKeys, type KeySpace } from './redis.js';

/**
 * Presence as the service itself collected it, besides the Zoom webhook marks (attendance-store.ts): per
 * BigBlueButton meeting (a room is re-created when BBB dropped it, each time a new internal meeting id) the
 * polled stays and, once BigBlueButton sent it, the analytics callback's exact record that supersedes them;
 * per Zoom room what the past-participants list said, already matched to participants.
 */
export interface PresenceStore {
  /** One poll of a running meeting; a tick not after the last recorded one is ignored (a retried job). */
  recordPoll(eventId: string, roomId: string, internalMeetingId: string, tick: number, present: readonly string[], maxGapMs: number): Promise<boolean>;
  /** The callback's record, once per meeting: false when one was stored already (nothing changes). */
  saveExact(eventId: string, roomId: string, internalMeetingId: string, byParticipant: ReadonlyMap<string, readonly Interval[]>, at: Date): Promise<boolean>;
  /** Every meeting of the room, the exact record where there is one, else the polled stays. */
  bbbPresence(eventId: string, roomId: string): Promise<Map<string, Interval[]>>;
  /** Meetings of the room and which source each one's presence comes from. */
  bbbMeetings(eventId: string, roomId: string): Promise<Array<{ internalMeetingId: string; source: 'callback' | 'polls' }>>;
  /** Replaces the room's past-participants record (it is Zoom's full list each time). */
  saveZoomPast(eventId: string, roomId: string, byParticipant: ReadonlyMap<string, readonly Interval[]>): Promise<void>;
  zoomPast(eventId: string, roomId: string): Promise<Map<string, Interval[]>>;
  /** Every record that holds this person's presence, in any room the event ever had (a data subject's export). */
  recordsOf(eventId: string, participantId: string): Promise<PresenceRecord[]>;
  /** Removes this person from every one of those records; true when something was removed. */
  forget(eventId: string, participantId: string): Promise<boolean>;
}

export interface PresenceRecord {
  roomId: string;
  source: 'bbb-polls' | 'bbb-callback' | 'zoom-past-participants';
  /** BigBlueButton's internal meeting id, for the BigBlueButton sources. */
  meetingId?: string;
  intervals: Interval[];
}

const pairs = z.array(z.tuple([z.number(), z.number()]));
const polledSchema = z.object({ i: pairs, l: z.number().optional() });

/** Checked by hand rather than by zod: a report reads tens of thousands of these at once. */
function decodePairs(value: unknown): Interval[] {
  if (!Array.isArray(value)) throw new Error('stored presence is not a list');
  return value.map((pair: unknown) => {
    if (!Array.isArray(pair) || typeof pair[0] !== 'number' || typeof pair[1] !== 'number') throw new Error('stored presence has a malformed interval');
    return { start: pair[0], end: pair[1] };
  });
}
const decodePolled = (raw: string): Interval[] => decodePairs((JSON.parse(raw) as { i?: unknown }).i);

// Claims the meeting's record and writes it in one step, so a repeated callback finds it claimed and a
// crash between claim and write cannot leave a claimed but empty record. ARGV: at, record.
const SAVE_EXACT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1
`;

/**
 * Records written whole (the callback's, Zoom's list) are one JSON string per meeting or room: a report reads
 * them with one GET and one parse instead of a field per participant.
 */
const encodeAll = (byParticipant: ReadonlyMap<string, readonly Interval[]>) =>
  JSON.stringify(Object.fromEntries([...byParticipant].map(([id, intervals]) => [id, intervals.map((i) => [i.start, i.end])])));

function decodeAll(raw: string | null, into: Map<string, Interval[]>): void {
  if (!raw) return;
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  for (const [participantId, pairsOf] of Object.entries(parsed)) {
    const list = into.get(participantId) ?? [];
    list.push(...decodePairs(pairsOf));
    into.set(participantId, list);
  }
}

const CHUNK = 2000;

// Rewrites a whole-record string only if nobody replaced it since it was read (compared by digest, so an 8 MiB
// callback record is not sent back as an argument). ARGV: sha1 of the value read, the new value.
const REPLACE_IF_UNCHANGED = `
local current = redis.call('GET', KEYS[1])
if not current or redis.sha1hex(current) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

/** Where a key under an event's attendance prefix belongs: `{roomId}:bbb:{meetingId}:polled|exact` or `{roomId}:zoom-past`. */
function recordKind(rest: string): { roomId: string; source: PresenceRecord['source']; meetingId?: string } | undefined {
  const parts = rest.split(':');
  const [roomId, what, meetingId, field] = parts;
  if (!roomId) return undefined;
  if (parts.length === 2 && what === 'zoom-past') return { roomId, source: 'zoom-past-participants' };
  if (parts.length === 4 && what === 'bbb' && meetingId) {
    if (field === 'polled') return { roomId, source: 'bbb-polls', meetingId };
    if (field === 'exact') return { roomId, source: 'bbb-callback', meetingId };
  }
  return undefined;
}

export function createPresenceStore(redis: Redis, keys: KeySpace): PresenceStore {
  const room = (eventId: string, roomId: string) => keys.key('event', eventId, 'attendance', roomId);
  const meetingsKey = (eventId: string, roomId: string) => `${room(eventId, roomId)}:bbb-meetings`;
  const meeting = (eventId: string, roomId: string, id: string) => `${room(eventId, roomId)}:bbb:${id}`;
  const zoomPastKey = (eventId: string, roomId: string) => `${room(eventId, roomId)}:zoom-past`;

  /**
   * The records of every room the event ever had, found by key rather than through the programme: a room taken out
   * of the programme keeps its records, and they name people too.
   */
  async function recordKeys(eventId: string) {
    const prefix = keys.key('event', eventId, 'attendance');
    const found = await scanKeys(redis, `${globLiteral(prefix)}:*`);
    return found.flatMap((key) => {
      const kind = recordKind(key.slice(prefix.length + 1));
      return kind ? [{ key, ...kind }] : [];
    });
  }

  /** Drops one person from a whole-record JSON string; retried when a callback or Zoom's list replaced it meanwhile. */
  async function dropFromRecord(key: string, participantId: string): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const raw = await redis.get(key);
      if (!raw) return false;
      const record = JSON.parse(raw) as Record<string, unknown>;
      if (!Object.hasOwn(record, participantId)) return false;
      delete record[participantId];
      const digest = createHash('sha1').update(raw, 'utf8').digest('hex');
      if (Number(await redis.eval(REPLACE_IF_UNCHANGED, 1, key, digest, JSON.stringify(record))) === 1) return true;
    }
    throw new Error(`presence record ${key} kept changing; erase again`);
  }

  async function readHash(key: string, read: (raw: string) => Interval[], into: Map<string, Interval[]>): Promise<void> {
    for (const [participantId, raw] of Object.entries(await redis.hgetall(key))) {
      const list = into.get(participantId) ?? [];
      list.push(...read(raw));
      into.set(participantId, list);
    }
  }

  return {
    async recordPoll(eventId, roomId, internalMeetingId, tick, present, maxGapMs) {
      const base = meeting(eventId, roomId, internalMeetingId);
      const lastTickRaw = await redis.get(`${base}:tick`);
      const lastTick = lastTickRaw === null ? undefined : Number(lastTickRaw);
      if (lastTick !== undefined && tick <= lastTick) return false;
      const ids = [...new Set(present)];
      const multi = redis.multi();
      multi.zadd(meetingsKey(eventId, roomId), 'NX', tick, internalMeetingId);
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        const raws = await redis.hmget(`${base}:polled`, ...chunk);
        const fields: string[] = [];
        chunk.forEach((id, n) => {
          const raw = raws[n];
          const known = raw ? polledSchema.parse(JSON.parse(raw)) : undefined;
          const state: PolledPresence = known ? { intervals: known.i.map(([start, end]) => ({ start, end })), ...(known.l !== undefined ? { lastSeen: known.l } : {}) } : { intervals: [] };
          const next = extendPolled(state, tick, lastTick, maxGapMs);
          fields.push(id, JSON.stringify({ i: next.intervals.map((x) => [x.start, x.end]), l: next.lastSeen }));
        });
        if (fields.length > 0) multi.hset(`${base}:polled`, ...fields);
      }
      multi.set(`${base}:tick`, String(tick));
      await multi.exec();
      return true;
    },
    async saveExact(eventId, roomId, internalMeetingId, byParticipant, at) {
      const base = meeting(eventId, roomId, internalMeetingId);
      const saved = Number(await redis.eval(SAVE_EXACT, 2, `${base}:exact-at`, `${base}:exact`, at.toISOString(), encodeAll(byParticipant)));
      if (saved === 1) await redis.zadd(meetingsKey(eventId, roomId), 'NX', at.getTime(), internalMeetingId);
      return saved === 1;
    },
    async bbbPresence(eventId, roomId) {
      const out = new Map<string, Interval[]>();
      for (const { internalMeetingId, source } of await this.bbbMeetings(eventId, roomId)) {
        const base = meeting(eventId, roomId, internalMeetingId);
        if (source === 'callback') decodeAll(await redis.get(`${base}:exact`), out);
        else await readHash(`${base}:polled`, decodePolled, out);
      }
      return out;
    },
    async bbbMeetings(eventId, roomId) {
      const ids = await redis.zrange(meetingsKey(eventId, roomId), 0, -1);
      if (ids.length === 0) return [];
      const exact = await redis.mget(...ids.map((id) => `${meeting(eventId, roomId, id)}:exact-at`));
      return ids.map((internalMeetingId, i) => ({ internalMeetingId, source: exact[i] ? ('callback' as const) : ('polls' as const) }));
    },
    async saveZoomPast(eventId, roomId, byParticipant) {
      await redis.set(zoomPastKey(eventId, roomId), encodeAll(byParticipant));
    },
    async zoomPast(eventId, roomId) {
      const out = new Map<string, Interval[]>();
      decodeAll(await redis.get(zoomPastKey(eventId, roomId)), out);
      return out;
    },
    async recordsOf(eventId, participantId) {
      const out: PresenceRecord[] = [];
      for (const { key, ...where } of await recordKeys(eventId)) {
        let intervals: Interval[] | undefined;
        if (where.source === 'bbb-polls') {
          const raw = await redis.hget(key, participantId);
          intervals = raw ? decodePolled(raw) : undefined;
        } else {
          const raw = await redis.get(key);
          const record = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
          intervals = Object.hasOwn(record, participantId) ? decodePairs(record[participantId]) : undefined;
        }
        if (intervals) out.push({ ...where, intervals });
      }
      return out.sort((a, b) => a.roomId.localeCompare(b.roomId) || a.source.localeCompare(b.source) || (a.meetingId ?? '').localeCompare(b.meetingId ?? ''));
    },
    async forget(eventId, participantId) {
      let removed = false;
      for (const { key, source } of await recordKeys(eventId)) {
        const done = source === 'bbb-polls' ? (await redis.hdel(key, participantId)) > 0 : await dropFromRecord(key, participantId);
        removed ||= done;
      }
      return removed;
    },
  };
}
