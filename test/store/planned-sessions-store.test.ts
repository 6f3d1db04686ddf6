import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlannedSessionsStore, type PlannedSessions, type PlannedSessionsStore } from '../../src/store/planned-sessions-store.js';
import { keySpace } from '../../src/store/redis.js';
import { deleteKeys, uniquePrefix } from '../helpers/redis-keys.js';

const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const EVENT = 'hrgl-2024';

let prefix: string;
let store: PlannedSessionsStore;

beforeEach(() => {
  prefix = uniquePrefix('planned-sessions');
  store = createPlannedSessionsStore(redis, keySpace(prefix));
});
afterEach(async () => {
  await deleteKeys(redis, prefix);
});
afterAll(async () => {
  await redis.quit();
});

const planned = (version: number, localStart: string, startsAt: string): PlannedSessions => ({
  version,
  plannedAt: '2024-01-10T10:00:00.000Z',
  sessions: [
    {
      id: 's1',
      title: 'Keynote',
      date: '2024-02-06',
      kind: 'academy',
      dayTitle: 'Day 1',
      roomId: 'bbb-2024-02-06',
      startsAt,
      endsAt: '2024-02-06T10:00:00.000Z',
      localStart,
      localEnd: '11:00',
    },
  ],
});

describe('planned sessions', () => {
  it('keeps the newest version planned when a planner that read an older programme finishes last', async () => {
    expect(await store.get(EVENT)).toBeUndefined();
    expect(await store.put(EVENT, planned(2, '09:00', '2024-02-06T08:00:00.000Z'))).toBe(true);
    expect(await store.put(EVENT, planned(3, '08:00', '2024-02-06T07:00:00.000Z'))).toBe(true);
    expect(await store.put(EVENT, planned(2, '09:00', '2024-02-06T08:00:00.000Z'))).toBe(false);
    expect(await store.get(EVENT)).toEqual(planned(3, '08:00', '2024-02-06T07:00:00.000Z'));
    // The same version again (a job and the reconcile planning it both) is the same record.
    expect(await store.put(EVENT, planned(3, '08:00', '2024-02-06T07:00:00.000Z'))).toBe(true);
    expect(await store.get(EVENT)).toEqual(planned(3, '08:00', '2024-02-06T07:00:00.000Z'));
  });
});
