import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { normaliseEmail, participantSchema, type Participant, type ParticipantInput } from '../domain/participant.js';
import { immediate, type Durability } from './durability.js';
import type { KeySpace } from './redis.js';

export interface ParticipantStore {
  /** Creates or updates by normalised email; returns the records in input order. */
  /** Stores or updates each participant (keyed on the normalised email); `created` holds the ids that are new. */
  upsertMany(eventId: string, inputs: readonly ParticipantInput[], now: Date, options?: UpsertOptions): Promise<{ participants: Participant[]; created: Set<string> }>;
  /** The live participant with this address (normalised), if any. */
  findByEmail(eventId: string, email: string): Promise<Participant | undefined>;
  get(eventId: string, participantId: string): Promise<Participant | undefined>;
  /** The participant, 'revoked', or undefined: one HGET, since revocation is a tombstone in the same hash. */
  lookup(eventId: string, participantId: string): Promise<Participant | 'revoked' | undefined>;
  /** Replaces the participant by a tombstone so their links say so, and frees the email for a new registration. */
  revoke(eventId: string, participantId: string): Promise<boolean>;
  list(eventId: string): Promise<Participant[]>;
  /** Participants added with an invitation owed whose invitation is not known to be planned yet. */
  owedInvitations(eventId: string): Promise<string[]>;
  /** Their first invitations are planned (the messages exist), or they are owed nothing any more. */
  invitationsPlanned(eventId: string, participantIds: readonly string[]): Promise<void>;
}

/** What every API process hears when a stored participant changes, so per-process caches drop it. */
export interface ParticipantChange {
  eventId: string;
  participantId: string;
}

export interface ParticipantStoreOptions {
  /**
   * Called in this process once a change is stored (after Redis has published it to the others), so the
   * caller's next request in this process cannot see the old record even before its own message arrives.
   */
  onChanged?: (change: ParticipantChange) => void;
  /** Registrations and revocations are answered only once a replica has them (see durability.ts). */
  durability?: Durability;
}

export interface UpsertOptions {
  /** Ids to give new addresses, by input index: a waitlisted person keeps the id they were listed under. */
  ids?: readonly (string | undefined)[];
  /**
   * New participants are owed their first invitation. Recorded in the write that creates them, under the same
   * WAIT, so that a failover losing the job meant to plan it still leaves the debt for the reconcile to settle;
   * without it (`notify: false`, and everyone stored before the marker existed) nobody is ever mass-mailed.
   */
  invite?: boolean;
}

export const REVOKED = 'revoked';

/** Normalised email → participant id of the live participants; its length is how many there are (self-registration counts places by it). */
export function participantEmailsKey(keys: KeySpace, eventId: string): string {
  return keys.key('event', eventId, 'emails');
}

export function participantChangesChannel(keys: KeySpace): string {
  return keys.key('participants', 'changed');
}

/** undefined for anything that is not a change message; the listener then drops everything it holds. */
export function parseParticipantChange(message: string): ParticipantChange | undefined {
  try {
    const value = JSON.parse(message) as Partial<ParticipantChange> | null;
    return typeof value?.eventId === 'string' && typeof value.participantId === 'string'
      ? { eventId: value.eventId, participantId: value.participantId }
      : undefined;
  } catch {
    return undefined;
  }
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

// Writes records unless their id was revoked meanwhile (a concurrent import must not bring a revoked
// participant back), and publishes a change for each record that existed at the moment of the write, in
// the same atomic step: no process can keep an old name or role because a publish got lost after a write.
// An owed invitation goes into KEYS[2] in that step too, so no replica has the participant without it.
// ARGV: channel, eventId, then triples of id, record JSON and '1' when an invitation is owed.
const WRITE_SCRIPT = `
for i = 3, #ARGV, 3 do
  local before = redis.call('HGET', KEYS[1], ARGV[i])
  if before ~= '${REVOKED}' then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    if ARGV[i + 2] == '1' then redis.call('SADD', KEYS[2], ARGV[i]) end
    if before then
      redis.call('PUBLISH', ARGV[1], cjson.encode({eventId = ARGV[2], participantId = ARGV[i]}))
    end
  end
end
return 1
`;

// The tombstone stays in the participants hash, so the join path learns "revoked" from the same HGET
// that finds live participants. The email mapping goes, so the address can register anew (new id).
// A removed participant is owed nothing: their debt goes in the same step (KEYS[3]).
// ARGV: participantId, normalised email, channel, change message.
const REVOKE_SCRIPT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw or raw == '${REVOKED}' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], '${REVOKED}')
if redis.call('HGET', KEYS[2], ARGV[2]) == ARGV[1] then redis.call('HDEL', KEYS[2], ARGV[2]) end
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

const CHUNK = 1000;

export function newParticipantId(): string {
  return `p-${randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0')}`;
}

export function createParticipantStore(redis: Redis, keys: KeySpace, options: ParticipantStoreOptions = {}): ParticipantStore {
  const emailsKey = (eventId: string) => participantEmailsKey(keys, eventId);
  const recordsKey = (eventId: string) => keys.key('event', eventId, 'participants');
  const owedKey = (eventId: string) => keys.key('event', eventId, 'invitations-owed');
  const channel = participantChangesChannel(keys);
  const changed = options.onChanged ?? (() => undefined);
  const durability = options.durability ?? immediate;

  const parse = (raw: string | null | undefined) => (raw && raw !== REVOKED ? participantSchema.parse(JSON.parse(raw)) : undefined);

  return {
    async upsertMany(eventId, inputs, now, options = {}) {
      const createdAt = now.toISOString();
      const out: Participant[] = [];
      const created = new Set<string>();
      const written: string[] = [];
      const writeChunk = async (chunk: readonly ParticipantInput[], offset: number) => {
        const args = chunk.flatMap((input, i) => [normaliseEmail(input.email), options.ids?.[offset + i] ?? newParticipantId()]);
        const ids = (await redis.eval(CLAIM_SCRIPT, 1, emailsKey(eventId), ...args)) as string[];
        const existing = await redis.hmget(recordsKey(eventId), ...ids);
        const writes: string[] = [];
        chunk.forEach((input, i) => {
          const id = ids[i] ?? '';
          const before = parse(existing[i]);
          const fresh = !before;
          if (fresh) created.add(id);
          const record: Participant = {
            id,
            eventId,
            name: input.name,
            email: input.email.trim(),
            role: input.role,
            ...(input.language !== undefined ? { language: input.language } : {}),
            createdAt: before?.createdAt ?? createdAt,
          };
          const json = JSON.stringify(record);
          // A fresh record always differs from nothing, so every owed invitation is in `writes`.
          if (JSON.stringify(before) !== json) writes.push(id, json, fresh && options.invite ? '1' : '0');
          out.push(record);
        });
        if (writes.length === 0) return;
        await redis.eval(WRITE_SCRIPT, 2, recordsKey(eventId), owedKey(eventId), channel, eventId, ...writes);
        for (let i = 0; i < writes.length; i += 3) written.push(writes[i] ?? '');
      };
      try {
        // One WAIT for the whole request, after its last chunk (see durability.ts).
        await durability.confirm(async () => {
          for (let start = 0; start < inputs.length; start += CHUNK) await writeChunk(inputs.slice(start, start + CHUNK), start);
        });
      } finally {
        // Even when the replicas did not confirm: the primary has the records, and so may the next read here.
        for (const participantId of written) changed({ eventId, participantId });
      }
      return { participants: out, created };
    },
    async get(eventId, participantId) {
      return parse(await redis.hget(recordsKey(eventId), participantId));
    },
    async findByEmail(eventId, email) {
      const id = await redis.hget(emailsKey(eventId), normaliseEmail(email));
      return id ? this.get(eventId, id) : undefined;
    },
    async lookup(eventId, participantId) {
      const raw = await redis.hget(recordsKey(eventId), participantId);
      return raw === REVOKED ? 'revoked' : parse(raw);
    },
    async revoke(eventId, participantId) {
      const record = await this.get(eventId, participantId);
      if (!record) return false;
      const change: ParticipantChange = { eventId, participantId };
      const revokeNow = () =>
        redis.eval(REVOKE_SCRIPT, 3, recordsKey(eventId), emailsKey(eventId), owedKey(eventId), participantId, normaliseEmail(record.email), channel, JSON.stringify(change));
      let done: unknown;
      try {
        done = await durability.confirm(revokeNow);
      } catch (error) {
        // The tombstone may be on the primary even though no replica confirmed it: stop trusting what this process holds.
        changed(change);
        throw error;
      }
      if (Number(done) !== 1) return false;
      changed(change);
      return true;
    },
    async list(eventId) {
      const all = await redis.hvals(recordsKey(eventId));
      const live: Participant[] = [];
      for (const raw of all) if (raw !== REVOKED) live.push(participantSchema.parse(JSON.parse(raw)));
      return live.sort((a, b) => a.id.localeCompare(b.id));
    },
    async owedInvitations(eventId) {
      return (await redis.smembers(owedKey(eventId))).sort();
    },
    async invitationsPlanned(eventId, participantIds) {
      if (participantIds.length > 0) await redis.srem(owedKey(eventId), ...participantIds);
    },
  };
}
