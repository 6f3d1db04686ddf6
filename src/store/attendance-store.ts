import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { KeySpace } from './redis.js';

/** Which event room a Zoom webinar belongs to; written by Zoom provisioning once the webinar exists. */
export const webinarLinkSchema = z.object({ eventId: z.string().min(1), roomId: z.string().min(1) });
export type WebinarLink = z.infer<typeof webinarLinkSchema>;

/** Zoom sends `object.id` as a string in webinar events but as an integer in registration events. */
export type ZoomWebinarId = string | number;

export interface AttendanceSession {
  /** Absent only when the join event never reached us but the leave did. */
  joinedAt?: string;
  /** Absent while the person is still in the webinar (or the leave event was lost). */
  leftAt?: string;
}

export interface RegistrantAttendance {
  registrantId: string;
  /** Last display name / email Zoom reported; email is often empty for guests who are not signed in. */
  name?: string;
  email?: string;
  /** In time order; one person may join and leave several times. */
  sessions: AttendanceSession[];
}

export interface WebinarTimes {
  /** First time the webinar was started. */
  startedAt?: string;
  /** Last time it ended; absent while it runs (also when it was started again after an end). */
  endedAt?: string;
}

export interface AttendanceStore {
  linkWebinar(webinarId: ZoomWebinarId, link: WebinarLink): Promise<void>;
  lookupWebinar(webinarId: ZoomWebinarId): Promise<WebinarLink | undefined>;
  /**
   * Claims a delivery with SET NX EX: resolves false the first time a key is offered (go ahead and
   * process), true when it was already claimed within ttlSeconds (a retry: skip it).
   */
  seen(deliveryKey: string, ttlSeconds: number): Promise<boolean>;
  /** Releases a claim so a retry is processed again, for when processing failed after seen() returned false. */
  forget(deliveryKey: string): Promise<void>;
  recordWebinarStarted(link: WebinarLink, at: Date): Promise<void>;
  recordWebinarEnded(link: WebinarLink, at: Date): Promise<void>;
  recordJoin(link: WebinarLink, registrantId: string, at: Date, who?: { name?: string; email?: string }): Promise<void>;
  recordLeave(link: WebinarLink, registrantId: string, at: Date): Promise<void>;
  webinarTimes(eventId: string, roomId: string): Promise<WebinarTimes>;
  registrantsAttendance(eventId: string, roomId: string): Promise<RegistrantAttendance[]>;
  /** One registrant's stays and what Zoom said their name and email were (a data subject's export). */
  registrantAttendance(eventId: string, roomId: string, registrantId: string): Promise<RegistrantAttendance | undefined>;
  /** Removes these registrants' joins, leaves, name and email; true when something was removed. */
  forgetRegistrants(eventId: string, roomId: string, registrantIds: readonly string[]): Promise<boolean>;
}

type Mark = 'join' | 'leave';
const markSchema = z.tuple([z.string(), z.enum(['join', 'leave']), z.iso.datetime()]);
const whoSchema = z.object({ name: z.string().optional(), email: z.string().optional() });

export function normaliseWebinarId(webinarId: ZoomWebinarId): string {
  return String(webinarId).trim();
}

/**
 * Joins and leaves are kept as a sorted set of marks (score = instant) rather than appended sessions: ZADD of the
 * same mark is idempotent, and Zoom retries arrive minutes late and out of order, so sessions are paired up only
 * when read.
 */
function pairSessions(marks: ReadonlyArray<{ kind: Mark; at: string; ms: number }>): AttendanceSession[] {
  const sessions: AttendanceSession[] = [];
  let open: AttendanceSession | undefined;
  let i = 0;
  while (i < marks.length) {
    // Zoom reports join_time/leave_time to the second, so a leave and a re-join can share an instant;
    // process whichever changes the current state first.
    const ms = marks[i]?.ms;
    const same: Array<{ kind: Mark; at: string }> = [];
    while (i < marks.length && marks[i]?.ms === ms) same.push(marks[i++]!);
    const joins = same.filter((m) => m.kind === 'join');
    const leaves = same.filter((m) => m.kind === 'leave');
    const ordered = open ? [...leaves, ...joins] : [...joins, ...leaves];
    for (const mark of ordered) {
      if (mark.kind === 'join') {
        // A second join while in the webinar (e.g. a lost leave on reconnect) continues the open session.
        if (!open) {
          open = { joinedAt: mark.at };
          sessions.push(open);
        }
      } else if (open) {
        open.leftAt = mark.at;
        open = undefined;
      } else {
        sessions.push({ leftAt: mark.at });
      }
    }
  }
  return sessions;
}

const parseMark = (raw: string) => markSchema.parse(JSON.parse(raw));

export function createAttendanceStore(redis: Redis, keys: KeySpace): AttendanceStore {
  const linkKey = (webinarId: ZoomWebinarId) => keys.key('zoom', 'webinar', normaliseWebinarId(webinarId), 'link');
  const dedupeKey = (deliveryKey: string) => keys.key('zoom', 'delivery', deliveryKey);
  const base = (eventId: string, roomId: string) => keys.key('event', eventId, 'attendance', roomId);
  const webinarKey = (link: WebinarLink) => `${base(link.eventId, link.roomId)}:webinar`;
  const marksKey = (link: WebinarLink) => `${base(link.eventId, link.roomId)}:marks`;
  const whoKey = (link: WebinarLink) => `${base(link.eventId, link.roomId)}:who`;

  const addMark = async (link: WebinarLink, registrantId: string, kind: Mark, at: Date) => {
    await redis.zadd(marksKey(link), at.getTime(), JSON.stringify([registrantId, kind, at.toISOString()]));
  };

  return {
    async linkWebinar(webinarId, link) {
      await redis.set(linkKey(webinarId), JSON.stringify(webinarLinkSchema.parse(link)));
    },
    async lookupWebinar(webinarId) {
      if (normaliseWebinarId(webinarId) === '') return undefined;
      const raw = await redis.get(linkKey(webinarId));
      return raw ? webinarLinkSchema.parse(JSON.parse(raw)) : undefined;
    },
    async seen(deliveryKey, ttlSeconds) {
      const claimed = await redis.set(dedupeKey(deliveryKey), '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX');
      return claimed !== 'OK';
    },
    async forget(deliveryKey) {
      await redis.del(dedupeKey(deliveryKey));
    },
    async recordWebinarStarted(link, at) {
      await redis.zadd(webinarKey(link), at.getTime(), `started:${at.toISOString()}`);
    },
    async recordWebinarEnded(link, at) {
      await redis.zadd(webinarKey(link), at.getTime(), `ended:${at.toISOString()}`);
    },
    async recordJoin(link, registrantId, at, who = {}) {
      const profile = whoSchema.parse({ name: who.name || undefined, email: who.email || undefined });
      const multi = redis.multi();
      multi.zadd(marksKey(link), at.getTime(), JSON.stringify([registrantId, 'join', at.toISOString()]));
      if (profile.name !== undefined || profile.email !== undefined) multi.hset(whoKey(link), registrantId, JSON.stringify(profile));
      await multi.exec();
    },
    async recordLeave(link, registrantId, at) {
      await addMark(link, registrantId, 'leave', at);
    },
    async webinarTimes(eventId, roomId) {
      const entries = await redis.zrange(webinarKey({ eventId, roomId }), 0, -1);
      const starts = entries.filter((e) => e.startsWith('started:')).map((e) => e.slice('started:'.length));
      const ends = entries.filter((e) => e.startsWith('ended:')).map((e) => e.slice('ended:'.length));
      const lastStart = starts.at(-1);
      const lastEnd = ends.at(-1);
      const running = lastStart !== undefined && (lastEnd === undefined || Date.parse(lastEnd) < Date.parse(lastStart));
      return {
        ...(starts[0] !== undefined ? { startedAt: starts[0] } : {}),
        ...(lastEnd !== undefined && !running ? { endedAt: lastEnd } : {}),
      };
    },
    async registrantsAttendance(eventId, roomId) {
      const link = { eventId, roomId };
      const [flat, who] = await Promise.all([redis.zrange(marksKey(link), 0, -1, 'WITHSCORES'), redis.hgetall(whoKey(link))]);
      const byRegistrant = new Map<string, Array<{ kind: Mark; at: string; ms: number }>>();
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const [registrantId, kind, at] = parseMark(flat[i]!);
        const marks = byRegistrant.get(registrantId) ?? [];
        marks.push({ kind, at, ms: Number(flat[i + 1]) });
        byRegistrant.set(registrantId, marks);
      }
      return [...byRegistrant.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([registrantId, marks]) => {
          const rawWho = who[registrantId];
          const profile = rawWho ? whoSchema.parse(JSON.parse(rawWho)) : {};
          return { registrantId, ...profile, sessions: pairSessions(marks) };
        });
    },
    async registrantAttendance(eventId, roomId, registrantId) {
      const link = { eventId, roomId };
      const [flat, rawWho] = await Promise.all([redis.zrange(marksKey(link), 0, -1, 'WITHSCORES'), redis.hget(whoKey(link), registrantId)]);
      const marks: Array<{ kind: Mark; at: string; ms: number }> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const [id, kind, at] = parseMark(flat[i]!);
        if (id === registrantId) marks.push({ kind, at, ms: Number(flat[i + 1]) });
      }
      if (marks.length === 0 && !rawWho) return undefined;
      return { registrantId, ...(rawWho ? whoSchema.parse(JSON.parse(rawWho)) : {}), sessions: pairSessions(marks) };
    },
    async forgetRegistrants(eventId, roomId, registrantIds) {
      if (registrantIds.length === 0) return false;
      const link = { eventId, roomId };
      const wanted = new Set(registrantIds);
      // Marks are members named by their content, so theirs are found by reading the room's marks once.
      const theirs = (await redis.zrange(marksKey(link), 0, -1)).filter((raw) => wanted.has(parseMark(raw)[0]));
      const multi = redis.multi().hdel(whoKey(link), ...registrantIds);
      if (theirs.length > 0) multi.zrem(marksKey(link), ...theirs);
      const results = (await multi.exec()) ?? [];
      return results.some(([error, removed]) => !error && Number(removed) > 0);
    },
  };
}
