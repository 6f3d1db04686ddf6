import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../clock.js';
import { verifyLink, type LinkSubject, type SigningKey } from '../domain/link-token.js';
import type { Participant } from '../domain/participant.js';
import { scheduleProgramme, type RoomPlan, type Schedule, type ScheduledSession } from '../domain/schedule.js';
import type { Logger } from '../logger.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import { parseParticipantChange, type ParticipantChange, type ParticipantStore } from '../store/participant-store.js';

/** A session with its instants parsed once per loaded programme, for the join window check. */
export interface JoinableSession extends ScheduledSession {
  startsAtMs: number;
  endsAtMs: number;
}

export interface LoadedEvent {
  stored: StoredEvent;
  schedule: Schedule;
  sessionById: Map<string, JoinableSession>;
  roomById: Map<string, RoomPlan>;
}

/**
 * Why a link lets nobody in: signed by a key this service no longer holds, not signed by us at all, of a
 * registration that was withdrawn, or of nobody (or no event) we know. The HTTP layer words and codes these.
 */
export type AccessRefusal = 'retired-key' | 'invalid' | 'revoked' | 'unknown';
export type Denied = { readonly ok: false; readonly reason: AccessRefusal };
export type Access = { ok: true; token: string; participant: Participant; event: LoadedEvent } | Denied;

export interface ParticipantAccess {
  resolve(token: string): Promise<Access>;
  /** The same answer without waiting, when it needs nothing this process does not already hold; else undefined. */
  resolveKnown(token: string): Access | undefined;
}

type Known = Participant | 'revoked';

/**
 * Participants as last read from Redis, per process. Correctness rests on invalidation, not on the TTL:
 * every stored change is published (see participant-store.ts) and dropped here, and while the change
 * listener is not subscribed nothing is served from or added to the cache, because a message may be lost.
 */
export interface ParticipantCache {
  get(eventId: string, participantId: string): Known | undefined;
  /** Reads through `load`, caching its answer unless an invalidation happened while it was in flight. */
  load(eventId: string, participantId: string, load: () => Promise<Known | undefined>): Promise<Known | undefined>;
  invalidate(change: ParticipantChange): void;
  /**
   * Drops everything; with `live` false also stops caching until set live again. What was cached then is
   * kept aside for `lastKnown` (up to its age bound), unless a message could not be read while live.
   */
  clear(live?: boolean): void;
  /**
   * The last answer read here, past its TTL and while not live, unless a change invalidated it: only for
   * when Redis cannot be asked (a failover), so people already let in keep getting in.
   */
  lastKnown(eventId: string, participantId: string): Known | undefined;
  readonly live: boolean;
  readonly size: number;
}

export interface ParticipantCacheOptions {
  maxEntries?: number;
  ttlMs?: number;
  /** The process's clock; the cache lives in one process, so the injected one. */
  clock?: Clock;
}

// 50k entries of a few hundred bytes each is well under 50 MB and covers the largest events we run.
const CACHE_MAX_ENTRIES = 50_000;
// A safety bound only: should invalidation ever fail silently, no answer is older than this.
const CACHE_TTL_MS = 30_000;

// How old a last-known answer may be when Redis cannot be asked: long enough to ride out a failover or a
// restart, short enough that a process cut off from Redis does not keep a withdrawn link alive for long.
const LAST_KNOWN_MS = 10 * 60_000;

// ':' separates the parts of a link subject, so neither part can contain this separator.
const cacheKey = (eventId: string, participantId: string) => `${eventId}\n${participantId}`;

export function createParticipantCache(options: ParticipantCacheOptions = {}): ParticipantCache {
  const maxEntries = options.maxEntries ?? CACHE_MAX_ENTRIES;
  const ttlMs = options.ttlMs ?? CACHE_TTL_MS;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now().getTime();
  const entries = new Map<string, { value: Known; expiresAt: number }>();
  // What was cached when the cache stopped being live (the change listener lost its connection).
  const retired = new Map<string, { value: Known; expiresAt: number }>();
  let live = false;
  // Bumped by every invalidation: a read that started before one may have seen the old record.
  let generation = 0;

  function get(eventId: string, participantId: string): Known | undefined {
    if (!live) return undefined;
    const key = cacheKey(eventId, participantId);
    const hit = entries.get(key);
    if (hit === undefined) return undefined;
    if (hit.expiresAt > now()) return hit.value;
    entries.delete(key);
    return undefined;
  }

  return {
    get,
    async load(eventId, participantId, load) {
      const startedAt = generation;
      const value = await load();
      // Unknown ids are not kept: a participant registered a moment later must be found at once.
      if (value === undefined || !live || generation !== startedAt) return value;
      const key = cacheKey(eventId, participantId);
      // Insertion order is age order (an entry is only ever re-added after it expired or was dropped),
      // so the first key is the one to evict.
      entries.delete(key);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, { value, expiresAt: now() + ttlMs });
      return value;
    },
    invalidate({ eventId, participantId }) {
      generation += 1;
      entries.delete(cacheKey(eventId, participantId));
      retired.delete(cacheKey(eventId, participantId));
    },
    clear(nextLive = live) {
      generation += 1;
      if (!nextLive) {
        for (const [key, entry] of entries) {
          retired.delete(key);
          retired.set(key, entry);
        }
        // Oldest first (insertion order): past the bound they could never be answered again anyway.
        for (const [key, entry] of retired) {
          if (retired.size <= maxEntries && now() - (entry.expiresAt - ttlMs) < LAST_KNOWN_MS) break;
          retired.delete(key);
        }
      } else if (live) {
        // A message that could not be read while live: any record may have changed.
        retired.clear();
      }
      // Going live again keeps what was retired: the subscriber can be back a moment before the connection
      // that reads participants, and in that moment the last-known answers are still wanted.
      entries.clear();
      live = nextLive;
    },
    lastKnown(eventId, participantId) {
      const key = cacheKey(eventId, participantId);
      const hit = entries.get(key) ?? retired.get(key);
      // expiresAt is the read time plus the TTL.
      return hit && now() - (hit.expiresAt - ttlMs) < LAST_KNOWN_MS ? hit.value : undefined;
    },
    get live() {
      return live;
    },
    get size() {
      return entries.size;
    },
  };
}

export interface ParticipantChangeListener {
  close(): Promise<void>;
}

/**
 * Keeps `cache` in step with changes made by any process, over a dedicated subscriber connection. The
 * cache goes live only once SUBSCRIBE is acknowledged, and is dropped and paused whenever the connection
 * closes: messages published while it was down are gone, so nothing read before can be trusted.
 */
export function listenForParticipantChanges(subscriber: Redis, channel: string, cache: ParticipantCache, logger: Logger): ParticipantChangeListener {
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const change = parseParticipantChange(message);
    if (change) cache.invalidate(change);
    else cache.clear();
  });
  subscriber.on('close', () => cache.clear(false));
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        if (subscriber.status === 'ready') cache.clear(true);
      },
      (error: Error) => logger.warn({ err: { message: error.message } }, 'participant change subscription failed; serving without cache'),
    );
  });
  subscriber.on('error', (error: Error) => logger.warn({ err: { message: error.message } }, 'participant change listener connection error'));
  return {
    async close() {
      cache.clear(false);
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

export interface ParticipantAccessDeps {
  events: Pick<EventStore, 'get'>;
  participants: Pick<ParticipantStore, 'lookup'>;
  signingKeys: readonly SigningKey[];
  clock: Clock;
  /** Without one (or while it is not live), every request reads its participant from Redis. */
  cache?: ParticipantCache;
}

/**
 * Programmes change rarely and are read on every participant request, so a parsed schedule is kept for
 * a couple of seconds per process. Participants come from the invalidated cache above.
 */
const EVENT_CACHE_MS = 2_000;

// Frozen and shared: the answers carry no per-request data, so nothing needs a fresh object.
const RETIRED_KEY: Denied = Object.freeze({ ok: false, reason: 'retired-key' });
const INVALID: Denied = Object.freeze({ ok: false, reason: 'invalid' });
const REVOKED: Denied = Object.freeze({ ok: false, reason: 'revoked' });
const UNKNOWN: Denied = Object.freeze({ ok: false, reason: 'unknown' });

export function createParticipantAccess(deps: ParticipantAccessDeps): ParticipantAccess {
  // `loaded` is set once the read has settled, so a fresh entry can be used without awaiting it.
  type EventEntry = { at: number; event: Promise<LoadedEvent | undefined>; loaded?: LoadedEvent };
  const events = new Map<string, EventEntry>();
  // The last programme read per event, for when Redis cannot be asked (see ParticipantCache.lastKnown).
  const lastLoaded = new Map<string, { at: number; event: LoadedEvent }>();
  const cache = deps.cache ?? createParticipantCache({ clock: deps.clock });
  // Tokens that passed the HMAC check, so a returning link costs a map lookup instead of a MAC. Only the
  // exact same string hits, and the signing keys are fixed for the life of the process, so the answer
  // cannot differ; failures are not kept (nobody can fill this with garbage).
  const verified = new Map<string, LinkSubject>();

  function verify(token: string): LinkSubject | Denied {
    const known = verified.get(token);
    if (known !== undefined) return known;
    const result = verifyLink(token, deps.signingKeys);
    if (!result.ok) return result.reason === 'unknown-key' ? RETIRED_KEY : INVALID;
    if (verified.size >= CACHE_MAX_ENTRIES) {
      const oldest = verified.keys().next();
      if (!oldest.done) verified.delete(oldest.value);
    }
    verified.set(token, result.subject);
    return result.subject;
  }

  // One load per event and period however many requests arrive while it runs: the schedule is costly to build.
  function freshEvent(eventId: string, now: number) {
    const hit = events.get(eventId);
    return hit && now - hit.at < EVENT_CACHE_MS && now >= hit.at ? hit : undefined;
  }

  function loadEvent(eventId: string): Promise<LoadedEvent | undefined> {
    const now = deps.clock.now().getTime();
    const hit = freshEvent(eventId, now);
    if (hit) return hit.event;
    const entry: EventEntry = {
      at: now,
      event: deps.events.get(eventId).then((stored) => {
        const schedule = stored && scheduleProgramme(stored.programme);
        if (!stored || !schedule) return undefined;
        entry.loaded = {
          stored,
          schedule,
          sessionById: new Map(schedule.sessions.map((s) => [s.id, { ...s, startsAtMs: Date.parse(s.startsAt), endsAtMs: Date.parse(s.endsAt) }])),
          roomById: new Map(schedule.rooms.map((r) => [r.id, r])),
        };
        lastLoaded.set(eventId, { at: now, event: entry.loaded });
        return entry.loaded;
      }),
    };
    const { event } = entry;
    events.set(eventId, entry);
    // A failed read is not remembered: the next request tries again.
    event.catch(() => {
      if (events.get(eventId) === entry) events.delete(eventId);
    });
    return event;
  }

  /** Redis did not answer: the last answer this process had, if it is recent enough, else the failure. */
  function lastKnownEvent(eventId: string, error: unknown): LoadedEvent {
    const last = lastLoaded.get(eventId);
    if (last && deps.clock.now().getTime() - last.at < LAST_KNOWN_MS) return last.event;
    throw error;
  }
  function lastKnownParticipant(eventId: string, participantId: string, error: unknown): Known {
    const last = cache.lastKnown(eventId, participantId);
    if (last !== undefined) return last;
    throw error;
  }

  function decide(token: string, participant: Known | undefined, event: LoadedEvent | undefined): Access {
    if (participant === 'revoked') return REVOKED;
    if (!participant || !event) return UNKNOWN;
    return { ok: true, token, participant, event };
  }

  return {
    resolveKnown(token) {
      const subject = verify(token);
      if ('ok' in subject) return subject;
      const known = cache.get(subject.eventId, subject.participantId);
      const event = known === undefined ? undefined : freshEvent(subject.eventId, deps.clock.now().getTime())?.loaded;
      return event === undefined ? undefined : decide(token, known, event);
    },
    async resolve(token) {
      const subject = verify(token);
      if ('ok' in subject) return subject;
      const { eventId, participantId } = subject;
      const known = cache.get(eventId, participantId);
      const event = loadEvent(eventId).catch((error: unknown) => lastKnownEvent(eventId, error));
      if (known !== undefined) return decide(token, known, await event);
      const [participant, loaded] = await Promise.all([
        cache
          .load(eventId, participantId, () => deps.participants.lookup(eventId, participantId))
          .catch((error: unknown) => lastKnownParticipant(eventId, participantId, error)),
        event,
      ]);
      return decide(token, participant, loaded);
    },
  };
}
