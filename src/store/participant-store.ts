import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { normaliseEmail, participantSchema, type Participant, type ParticipantInput } from '../domain/participant.js';
import type { KeySpace } from './redis.js';

export interface ParticipantStore {
  /** Creates or updates by normalised email; returns the records in input order. */
  upsertMany(eventId: string, inputs: readonly ParticipantInput[], now: Date): Promise<Participant[]>;
  get(eventId: string, participantId: string): Promise<Participant | undefined>;
  isRevoked(eventId: string, participantId: string): Promise<boolean>;
  /** The participant, 'revoked', or undefined, in one round trip (the join path asks on every request). */
  lookup(eventId: string, participantId: string): Promise<Participant | 'revoked' | undefined>;
  /** Removes the participant; their id stays known as revoked so their links say so. */
  revoke(eventId: string, participantId: string): Promise<boolean>;
  list(eventId: string): Promise<Participant[]>;
}

// Claims each email for a fresh id unless it already has one, in one atomic step per chunk, so two
// concurrent imports of the same address agree on one participant.
const CLAIM_SCRIPT = `
local ids = {}
for i = 1, #ARGV, 2 do
  local ok = redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
  if ok == 1 then ids[#ids + 1] = ARGV[i + 1] else ids[#ids + 1] = redis.call('HGET', KEYS[1], ARGV[i]) end
end
return ids
`;

const REVOKE_SCRIPT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`;

const CHUNK = 1000;

export function newParticipantId(): string {
  return `p-${randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0')}`;
}

export function createParticipantStore(redis: Redis, keys: KeySpace): ParticipantStore {
  const emailsKey = (eventId: string) => keys.key('event', eventId, 'emails');
  const recordsKey = (eventId: string) => keys.key('event', eventId, 'participants');
  const revokedKey = (eventId: string) => keys.key('event', eventId, 'revoked');

  const parse = (raw: string | null | undefined) => (raw ? participantSchema.parse(JSON.parse(raw)) : undefined);

  return {
    async upsertMany(eventId, inputs, now) {
      const createdAt = now.toISOString();
      const out: Participant[] = [];
      for (let start = 0; start < inputs.length; start += CHUNK) {
        const chunk = inputs.slice(start, start + CHUNK);
        const args = chunk.flatMap((input) => [normaliseEmail(input.email), newParticipantId()]);
        const ids = (await redis.eval(CLAIM_SCRIPT, 1, emailsKey(eventId), ...args)) as string[];
        const existing = await redis.hmget(recordsKey(eventId), ...ids);
        const pipeline = redis.pipeline();
        chunk.forEach((input, i) => {
          const id = ids[i] ?? '';
          const before = parse(existing[i]);
          const record: Participant = {
            id,
            eventId,
            name: input.name,
            email: input.email.trim(),
            role: input.role,
            ...(input.language !== undefined ? { language: input.language } : {}),
            createdAt: before?.createdAt ?? createdAt,
          };
          if (JSON.stringify(before) !== JSON.stringify(record)) pipeline.hset(recordsKey(eventId), id, JSON.stringify(record));
          out.push(record);
        });
        if (pipeline.length > 0) await pipeline.exec();
      }
      return out;
    },
    async get(eventId, participantId) {
      return parse(await redis.hget(recordsKey(eventId), participantId));
    },
    async isRevoked(eventId, participantId) {
      return (await redis.sismember(revokedKey(eventId), participantId)) === 1;
    },
    async lookup(eventId, participantId) {
      const results = await redis
        .multi()
        .hget(recordsKey(eventId), participantId)
        .sismember(revokedKey(eventId), participantId)
        .exec();
      const [[recordError, raw] = [null, null], [revokedError, revoked] = [null, 0]] = results ?? [];
      if (recordError) throw recordError;
      if (revokedError) throw revokedError;
      if (revoked === 1) return 'revoked';
      return parse(raw as string | null);
    },
    async revoke(eventId, participantId) {
      const record = await this.get(eventId, participantId);
      if (!record) return false;
      const done = await redis.eval(
        REVOKE_SCRIPT,
        3,
        recordsKey(eventId),
        emailsKey(eventId),
        revokedKey(eventId),
        participantId,
        normaliseEmail(record.email),
      );
      return Number(done) === 1;
    },
    async list(eventId) {
      const all = await redis.hvals(recordsKey(eventId));
      return all.map((raw) => participantSchema.parse(JSON.parse(raw))).sort((a, b) => a.id.localeCompare(b.id));
    },
  };
}
