import type { Redis } from 'ioredis';
import { z } from 'zod';
import { programmeSchema, type Programme } from '../domain/programme.js';
import { immediate, type Durability } from './durability.js';
import type { KeySpace } from './redis.js';

export interface StoredEvent {
  programme: Programme;
  version: number;
  updatedAt: string;
}

export interface EventStore {
  /** Replaces the programme in one step; version 1 means it was created. */
  put(programme: Programme, now: Date): Promise<StoredEvent>;
  get(eventId: string): Promise<StoredEvent | undefined>;
  list(): Promise<string[]>;
}

// Writes and the version bump happen inside one script: concurrent replacements serialise in Redis and
// readers never see a programme without its matching version.
const PUT_SCRIPT = `
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'programme', ARGV[1], 'updatedAt', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return version
`;

const storedRow = z.object({ version: z.coerce.number().int().positive(), programme: z.string(), updatedAt: z.string() });

export interface EventStoreOptions {
  /** A stored programme is answered 200/201 only once a replica has it (see durability.ts). */
  durability?: Durability;
}

export function createEventStore(redis: Redis, keys: KeySpace, options: EventStoreOptions = {}): EventStore {
  const durability = options.durability ?? immediate;
  const eventKey = (id: string) => keys.key('event', id);
  const indexKey = keys.key('events');
  return {
    async put(programme, now) {
      const updatedAt = now.toISOString();
      const version = Number(
        await durability.confirm(() => redis.eval(PUT_SCRIPT, 2, eventKey(programme.id), indexKey, JSON.stringify(programme), updatedAt, programme.id)),
      );
      return { programme, version, updatedAt };
    },
    async get(eventId) {
      const row = await redis.hgetall(eventKey(eventId));
      if (Object.keys(row).length === 0) return undefined;
      const parsed = storedRow.parse(row);
      // Re-validated on read so a programme stored by an older release fails loudly, not subtly.
      return { programme: programmeSchema.parse(JSON.parse(parsed.programme)), version: parsed.version, updatedAt: parsed.updatedAt };
    },
    async list() {
      return (await redis.smembers(indexKey)).sort();
    },
  };
}
