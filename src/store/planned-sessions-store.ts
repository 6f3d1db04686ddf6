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
  put(eventId: string, planned: PlannedSessions): Promise<void>;
}

export function createPlannedSessionsStore(redis: Redis, keys: KeySpace): PlannedSessionsStore {
  const key = (eventId: string) => keys.key('event', eventId, 'messages', 'planned-sessions');
  return {
    async get(eventId) {
      const raw = await redis.get(key(eventId));
      return raw ? plannedSchema.parse(JSON.parse(raw)) : undefined;
    },
    async put(eventId, planned) {
      await redis.set(key(eventId), JSON.stringify(plannedSchema.parse(planned)));
    },
  };
}
