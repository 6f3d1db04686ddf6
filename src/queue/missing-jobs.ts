import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Ids per round trip: 40,000 queued messages are 40 small scripts. */
const CHUNK = 1000;

// KEYS: job hashes. Returns the 1-based positions of those that do not exist. One script per chunk rather than a
// pipeline of EXISTS: the client builds and parses one command instead of a thousand, which is most of the cost.
const MISSING_SCRIPT = `
local missing = {}
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then missing[#missing + 1] = i end
end
return missing
`;

/**
 * Which of these job ids have no job in the queue, in any state. BullMQ keeps a job as one hash under
 * `queue.toKey(id)` (`{prefix}:{queue}:{id}`, the key its add scripts test with EXISTS before storing a job and
 * `Job.fromId` reads) from the add until the job is removed: waiting, delayed, prioritized, active (also a
 * stalled one whose worker died), completed and failed alike. So a missing hash is the one case in which
 * adding the same id does something; a present one would make that add a no-op anyway.
 * `redis` is a connection to the queue's Redis (BullMQ's own client type names only the commands it uses).
 */
export async function missingJobIds(redis: Redis, queue: Queue, jobIds: readonly string[]): Promise<Set<string>> {
  const missing = new Set<string>();
  for (let i = 0; i < jobIds.length; i += CHUNK) {
    const chunk = jobIds.slice(i, i + CHUNK);
    const positions = (await redis.eval(MISSING_SCRIPT, chunk.length, ...chunk.map((id) => queue.toKey(id)))) as number[];
    for (const at of positions) missing.add(chunk[at - 1]!);
  }
  return missing;
}
