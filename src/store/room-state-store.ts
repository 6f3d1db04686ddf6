import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { KeySpace } from './redis.js';

export const roomStatusSchema = z.enum(['pending', 'scheduled', 'provisioning', 'ready', 'failed']);
export type RoomStatus = z.infer<typeof roomStatusSchema>;

export const roomStateSchema = z.object({
  id: z.string(),
  provider: z.enum(['bbb', 'zoom']),
  status: roomStatusSchema,
  error: z.string().optional(),
  updatedAt: z.string(),
  /** When the room last became ready, for the lead-time metric. */
  readyAt: z.string().optional(),
  jobId: z.string().optional(),
  runAt: z.string().optional(),
  meetingId: z.string().optional(),
  webinarId: z.string().optional(),
  languages: z.array(z.string()).optional(),
  /** Hash of the webinar settings last applied, so an unchanged programme causes no Zoom write. */
  appliedHash: z.string().optional(),
  /** Set just before a webinar create; a retry after a lost response finds the webinar by these. */
  pendingCreate: z.object({ topic: z.string(), startTime: z.string() }).optional(),
});
export type RoomState = z.infer<typeof roomStateSchema>;

export interface RoomStateStore {
  get(eventId: string, roomId: string): Promise<RoomState | undefined>;
  list(eventId: string): Promise<RoomState[]>;
  put(eventId: string, state: RoomState): Promise<void>;
  /**
   * Writes a newly planned state, except that a room a worker has made ready meanwhile stays ready
   * (with its readyAt and meetingId): planning and provisioning race, and readiness must not be lost.
   */
  plan(eventId: string, state: RoomState): Promise<void>;
  /** Merges into the existing state; a missing room is not resurrected. */
  update(eventId: string, roomId: string, patch: Partial<Omit<RoomState, 'id' | 'provider'>>, now: Date): Promise<void>;
  remove(eventId: string, roomIds: readonly string[]): Promise<void>;
}

// Read-modify-write inside Redis so a worker's status update and a programme replacement never
// interleave into a state that mixes both.
const UPDATE_SCRIPT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local state = cjson.decode(raw)
local patch = cjson.decode(ARGV[2])
for k, v in pairs(patch) do
  if v == '__unset__' then state[k] = nil else state[k] = v end
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
return 1
`;

const PLAN_SCRIPT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local planned = cjson.decode(ARGV[2])
if raw then
  local current = cjson.decode(raw)
  if current.status == 'ready' then
    planned.status = 'ready'
    planned.readyAt = current.readyAt
    planned.meetingId = current.meetingId or planned.meetingId
    planned.error = nil
  end
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(planned))
return 1
`;

export function createRoomStateStore(redis: Redis, keys: KeySpace): RoomStateStore {
  const roomsKey = (eventId: string) => keys.key('event', eventId, 'rooms');
  return {
    async get(eventId, roomId) {
      const raw = await redis.hget(roomsKey(eventId), roomId);
      return raw ? roomStateSchema.parse(JSON.parse(raw)) : undefined;
    },
    async list(eventId) {
      const all = await redis.hvals(roomsKey(eventId));
      return all.map((raw) => roomStateSchema.parse(JSON.parse(raw))).sort((a, b) => a.id.localeCompare(b.id));
    },
    async put(eventId, state) {
      await redis.hset(roomsKey(eventId), state.id, JSON.stringify(roomStateSchema.parse(state)));
    },
    async plan(eventId, state) {
      await redis.eval(PLAN_SCRIPT, 1, roomsKey(eventId), state.id, JSON.stringify(roomStateSchema.parse(state)));
    },
    async update(eventId, roomId, patch, now) {
      const encoded = Object.fromEntries(
        Object.entries({ ...patch, updatedAt: now.toISOString() }).map(([k, v]) => [k, v === undefined ? '__unset__' : v]),
      );
      await redis.eval(UPDATE_SCRIPT, 1, roomsKey(eventId), roomId, JSON.stringify(encoded));
    },
    async remove(eventId, roomIds) {
      if (roomIds.length > 0) await redis.hdel(roomsKey(eventId), ...roomIds);
    },
  };
}
