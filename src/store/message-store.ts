import type { Redis } from 'ioredis';
import {
  messageDetailsSchema,
  messageRecordSchema,
  type MessageDetails,
  type MessageKind,
  type MessageRecord,
  type MessageStatus,
  type NewMessage,
} from '../domain/messages.js';
import { luaScript } from './lua-script.js';
import type { KeySpace } from './redis.js';

export interface MessageFilter {
  participantId?: string;
  kind?: MessageKind;
  status?: MessageStatus;
}

export interface MessageStore {
  /** Stores a message unless one with its id exists: a cause that repeats plans its message once. */
  plan(message: NewMessage, now: Date): Promise<{ created: boolean; record: MessageRecord }>;
  get(eventId: string, messageId: string): Promise<MessageRecord | undefined>;
  /** Counts an attempt and returns the record to send, or undefined when it is no longer queued. */
  beginAttempt(eventId: string, messageId: string): Promise<MessageRecord | undefined>;
  markSent(eventId: string, messageId: string, at: Date): Promise<void>;
  /** A failure that will be retried: stays queued, the reason shows until the next outcome. */
  noteRetry(eventId: string, messageId: string, error: string): Promise<void>;
  markFailed(eventId: string, messageId: string, error: string): Promise<void>;
  /** Queued → skipped with the reason (no SMTP configured, participant gone); false when it was not queued. */
  markSkipped(eventId: string, messageId: string, reason: string): Promise<boolean>;
  /** Withdraws one queued message (a dropped reminder); it can be planned again by replan. */
  cancel(eventId: string, messageId: string, reason: string, now: Date): Promise<boolean>;
  /** Withdraws every queued message of a participant; returns their ids (for removing their jobs). */
  cancelPending(eventId: string, participantId: string, reason: string, now: Date): Promise<string[]>;
  /** Re-times a queued message, or revives a cancelled one; false for sent, failed or otherwise skipped ones. */
  replan(eventId: string, messageId: string, plannedFor: Date | undefined): Promise<boolean>;
  /**
   * Rewrites the details of a message no attempt has started on (merging a change into a pending notice).
   * Undefined when an attempt has begun or it is no longer queued: the caller plans a new message instead.
   */
  reviseUnsent(eventId: string, messageId: string, revise: (record: MessageRecord) => MessageDetails): Promise<MessageRecord | undefined>;
  list(eventId: string, filter?: MessageFilter): Promise<MessageRecord[]>;
  /** 2, 3, …: the n of the next resent invitation (the first one, sent on registration, is 1). */
  nextInvitationNumber(eventId: string, participantId: string): Promise<number>;
  setRemindersOff(eventId: string, participantId: string, off: boolean): Promise<void>;
  remindersOff(eventId: string, participantId: string): Promise<boolean>;
  /** Who of these turned reminders off: one round trip per thousand, for a planner going through a whole event. */
  remindersOffAmong(eventId: string, participantIds: readonly string[]): Promise<Set<string>>;
}

// One hash per message. The kind-specific details are one JSON field, written whole; status, attempts and the
// instants are fields of their own, so every transition is a small Lua script on scalars (cjson would turn an
// empty array into an object and round numbers).
// KEYS: message, event index, participant index. ARGV: createdAt ms, then field/value pairs. Returns whether it
// was created and the message as stored, so planning is one round trip.
const PLAN_SCRIPT = `
local created = 0
if redis.call('EXISTS', KEYS[1]) == 0 then
  local fields = {}
  for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[2])
  created = 1
end
return {created, redis.call('HGETALL', KEYS[1])}
`;

// Returns the message as it is after counting the attempt (nil when not queued): a send's second round trip saved.
const BEGIN_SCRIPT = `
if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return false end
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
return redis.call('HGETALL', KEYS[1])
`;

// ARGV: expected status ('' for any), new status, then field/value pairs to set ('' value deletes the field).
const TRANSITION_SCRIPT = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
if ARGV[1] ~= '' and status ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i]) else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
`;

// KEYS[1] participant index; ARGV: message key prefix, reason, cancelledAt. The message keys are derived inside the
// script, so it is atomic against a concurrent plan; that needs one Redis (or Sentinel), not Redis Cluster.
const CANCEL_PENDING_SCRIPT = `
local cancelled = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. id
  if redis.call('HGET', key, 'status') == 'queued' then
    redis.call('HSET', key, 'status', 'skipped', 'error', ARGV[2], 'cancelledAt', ARGV[3])
    cancelled[#cancelled + 1] = id
  end
end
return cancelled
`;

// ARGV: plannedFor ('' for none).
const REPLAN_SCRIPT = `
local status = redis.call('HGET', KEYS[1], 'status')
local revivable = status == 'skipped' and redis.call('HEXISTS', KEYS[1], 'cancelledAt') == 1
if status ~= 'queued' and not revivable then return 0 end
redis.call('HSET', KEYS[1], 'status', 'queued')
if revivable then redis.call('HDEL', KEYS[1], 'cancelledAt', 'error') end
if ARGV[1] == '' then redis.call('HDEL', KEYS[1], 'plannedFor') else redis.call('HSET', KEYS[1], 'plannedFor', ARGV[1]) end
return 1
`;

// ARGV: the details JSON read, the new details JSON. Compare-and-set, so a concurrent revision is not lost.
const REVISE_SCRIPT = `
if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return -1 end
if tonumber(redis.call('HGET', KEYS[1], 'attempts')) ~= 0 then return -1 end
if redis.call('HGET', KEYS[1], 'details') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'details', ARGV[2])
return 1
`;

const OPTIONAL_FIELDS = ['error', 'sentAt', 'plannedFor', 'cancelledAt'] as const;
const READ_CHUNK = 500;

function fromHash(hash: Record<string, string>): MessageRecord | undefined {
  if (Object.keys(hash).length === 0) return undefined;
  const optional = Object.fromEntries(OPTIONAL_FIELDS.filter((f) => hash[f] !== undefined).map((f) => [f, hash[f]]));
  return messageRecordSchema.parse({
    id: hash.id,
    eventId: hash.eventId,
    participantId: hash.participantId,
    status: hash.status,
    attempts: Number(hash.attempts),
    createdAt: hash.createdAt,
    messageIdHeader: hash.messageIdHeader,
    details: JSON.parse(hash.details ?? 'null'),
    ...optional,
  });
}

/** HGETALL's reply as a script returns it (field, value, field, value, …) as a hash. */
function pairs(flat: readonly string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

export function createMessageStore(redis: Redis, keys: KeySpace): MessageStore {
  const messagePrefix = (eventId: string) => `${keys.key('event', eventId, 'message')}:`;
  const messageKey = (eventId: string, id: string) => `${messagePrefix(eventId)}${id}`;
  const eventIndex = (eventId: string) => keys.key('event', eventId, 'messages');
  const participantIndex = (eventId: string, participantId: string) => keys.key('event', eventId, 'messages', 'participant', participantId);
  const invitationCounter = (eventId: string) => keys.key('event', eventId, 'invitations');
  const remindersOffKey = (eventId: string) => keys.key('event', eventId, 'reminders-off');

  const get = async (eventId: string, id: string) => fromHash(await redis.hgetall(messageKey(eventId, id)));
  const planScript = luaScript<[number, string[]]>(redis, PLAN_SCRIPT);

  // The scripts a send runs go by their SHA1 (every mail runs two): less to send and for Redis to hash each time.
  const beginScript = luaScript<string[] | null>(redis, BEGIN_SCRIPT);
  const transitionScript = luaScript<number>(redis, TRANSITION_SCRIPT);

  const transition = async (eventId: string, id: string, expected: MessageStatus | '', status: MessageStatus, fields: Record<string, string>) =>
    Number(await transitionScript([messageKey(eventId, id)], [expected, status, ...Object.entries(fields).flat()])) === 1;

  return {
    async plan(message, now) {
      const details = messageDetailsSchema.parse(message.details);
      const fields: Record<string, string> = {
        id: message.id,
        eventId: message.eventId,
        participantId: message.participantId,
        status: 'queued',
        attempts: '0',
        createdAt: now.toISOString(),
        messageIdHeader: message.messageIdHeader,
        details: JSON.stringify(details),
        ...(message.plannedFor !== undefined ? { plannedFor: message.plannedFor } : {}),
      };
      const [created, flat] = await planScript(
        [messageKey(message.eventId, message.id), eventIndex(message.eventId), participantIndex(message.eventId, message.participantId)],
        [String(now.getTime()), message.id, ...Object.entries(fields).flat()],
      );
      const record = fromHash(pairs(flat));
      if (!record) throw new Error(`message ${message.id} vanished right after it was planned`);
      return { created: created === 1, record };
    },
    get,
    async beginAttempt(eventId, id) {
      const flat = await beginScript([messageKey(eventId, id)], []);
      return flat ? fromHash(pairs(flat)) : undefined;
    },
    async markSent(eventId, id, at) {
      // Whatever happened meanwhile (a cancel racing the send), the mail went out: say so.
      await transition(eventId, id, '', 'sent', { sentAt: at.toISOString(), error: '' });
    },
    async noteRetry(eventId, id, error) {
      await transition(eventId, id, 'queued', 'queued', { error });
    },
    async markFailed(eventId, id, error) {
      await transition(eventId, id, 'queued', 'failed', { error });
    },
    markSkipped(eventId, id, reason) {
      return transition(eventId, id, 'queued', 'skipped', { error: reason });
    },
    cancel(eventId, id, reason, now) {
      return transition(eventId, id, 'queued', 'skipped', { error: reason, cancelledAt: now.toISOString() });
    },
    async cancelPending(eventId, participantId, reason, now) {
      return (await redis.eval(CANCEL_PENDING_SCRIPT, 1, participantIndex(eventId, participantId), messagePrefix(eventId), reason, now.toISOString())) as string[];
    },
    async replan(eventId, id, plannedFor) {
      return Number(await redis.eval(REPLAN_SCRIPT, 1, messageKey(eventId, id), plannedFor?.toISOString() ?? '')) === 1;
    },
    async reviseUnsent(eventId, id, revise) {
      // Optimistic: re-read and retry when another revision won; a handful of rounds covers any real contention.
      for (let round = 0; round < 10; round++) {
        const hash = await redis.hgetall(messageKey(eventId, id));
        const record = fromHash(hash);
        if (!record || record.status !== 'queued' || record.attempts > 0) return undefined;
        const next = JSON.stringify(messageDetailsSchema.parse(revise(record)));
        const done = Number(await redis.eval(REVISE_SCRIPT, 1, messageKey(eventId, id), hash.details ?? '', next));
        if (done === -1) return undefined;
        if (done === 1) return get(eventId, id);
      }
      throw new Error(`message ${id} kept changing while being revised`);
    },
    async list(eventId, filter = {}) {
      // Filters on kind and status are applied here: even 10,000 participants make a few tens of thousands of
      // small hashes, read in pipelined chunks, and an index per status would have to follow every transition.
      const ids = filter.participantId
        ? (await redis.smembers(participantIndex(eventId, filter.participantId))).sort()
        : await redis.zrange(eventIndex(eventId), 0, -1);
      const out: MessageRecord[] = [];
      for (let i = 0; i < ids.length; i += READ_CHUNK) {
        const pipeline = redis.pipeline();
        for (const id of ids.slice(i, i + READ_CHUNK)) pipeline.hgetall(messageKey(eventId, id));
        for (const [error, hash] of (await pipeline.exec()) ?? []) {
          if (error) throw error;
          const record = fromHash(hash as Record<string, string>);
          if (!record) continue;
          if (filter.kind !== undefined && record.details.kind !== filter.kind) continue;
          if (filter.status !== undefined && record.status !== filter.status) continue;
          out.push(record);
        }
      }
      return filter.participantId ? out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)) : out;
    },
    async nextInvitationNumber(eventId, participantId) {
      return (await redis.hincrby(invitationCounter(eventId), participantId, 1)) + 1;
    },
    async setRemindersOff(eventId, participantId, off) {
      if (off) await redis.sadd(remindersOffKey(eventId), participantId);
      else await redis.srem(remindersOffKey(eventId), participantId);
    },
    async remindersOff(eventId, participantId) {
      return (await redis.sismember(remindersOffKey(eventId), participantId)) === 1;
    },
    async remindersOffAmong(eventId, participantIds) {
      const off = new Set<string>();
      for (let i = 0; i < participantIds.length; i += READ_CHUNK * 2) {
        const ids = participantIds.slice(i, i + READ_CHUNK * 2);
        const flags = await redis.smismember(remindersOffKey(eventId), ...ids);
        ids.forEach((id, at) => {
          if (flags[at] === 1) off.add(id);
        });
      }
      return off;
    },
  };
}
