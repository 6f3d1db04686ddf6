import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { KeySpace } from './redis.js';

/**
 * The sessions as participants were last told about them (per event), so a programme change can be turned into
 * the change notice "moved from … to …". Written by the message planner after each version it has planned.
 */
const plannedSchema = z.object({
  version: z.number().int(),
  plannedAt: z.string(),
  sessions: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      description: z.string().optional(),
      date: z.string(),
      kind: z.enum(['academy', 'conference']),
      dayTitle: z.string(),
      roomId: z.string(),
      startsAt: z.string(),
      endsAt: z.string(),
      localStart: z.string(),
      localEnd: z.string(),
    }),
  ),
});
export type PlannedSessions = z.infer<typeof plannedSchema>;

export interface PlannedSessionsStore {
  get(eventId: string): Promise<PlannedSessions | undefined>;
  /**
   * Records what was planned, unless a newer version is recorded already (false then): two planners may run at
   * once (a job, the reconcile), and one that read an older programme must not take the record back to it, or the
   * next change would be measured from the wrong sessions.
   */
  put(eventId: string, planned: PlannedSessions): Promise<boolean>;
}

// KEYS: the record. ARGV: the new record's JSON, its version.
const PUT_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and tonumber(cjson.decode(current).version) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`;

export function createPlannedSessionsStore(redis: Redis, keys: KeySpace): PlannedSessionsStore {
  const key = (eventId: string) => keys.key('event', eventId, 'messages', 'planned-sessions');
  return {
    async get(eventId) {
      const raw = await redis.get(key(eventId));
      return raw ? plannedSchema.parse(JSON.parse(raw)) : undefined;
    },
    async put(eventId, planned) {
      const record = plannedSchema.parse(planned);
      return Number(await redis.eval(PUT_SCRIPT, 1, key(eventId), JSON.stringify(record), String(record.version))) === 1;
    },
  };
}
