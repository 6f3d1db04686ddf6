import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, type QueueName } from '../../src/queue/job-registry.js';

/**
 * After a worker process was SIGKILLed: does what BullMQ's stalled-job recovery would do ~30–60 s later
 * (lock expiry after lockDuration, then two stalled checks), now. The dead worker's locks are deleted (it
 * can no longer renew them, so this is exactly their expiry) and BullMQ's own stalled checker runs through
 * its public `startStalledCheckTimer` on a worker that never processes anything. By default with
 * maxStalledCount 1, so a job that stalls twice is failed as a job past its allowance would be in
 * production (workers/worker.ts allows 3); `maxStalledCount` sets another limit.
 *
 * Only call this while no live worker holds jobs of this key space.
 */
export async function recoverStalledJobs(
  redisUrl: string,
  prefix: string,
  options: { timeoutMs?: number; maxStalledCount?: number } = {},
): Promise<Record<QueueName, string[]>> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const recovered = {} as Record<QueueName, string[]>;
  try {
    for (const queue of QUEUE_NAMES) {
      const base = `${prefix}:bull:${queue}`;
      const active = await redis.lrange(`${base}:active`, 0, -1);
      recovered[queue] = [];
      if (active.length === 0) continue;
      await redis.del(...active.map((id) => `${base}:${id}:lock`), `${base}:stalled-check`);
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      const sweeper = new Worker(queue, async () => undefined, {
        connection,
        prefix: `${prefix}:bull`,
        autorun: false,
        stalledInterval: 50,
        maxStalledCount: options.maxStalledCount ?? 1,
      });
      sweeper.on('stalled', (jobId) => recovered[queue].push(jobId));
      sweeper.on('error', () => undefined);
      await sweeper.startStalledCheckTimer();
      const deadline = Date.now() + timeoutMs;
      while ((await redis.llen(`${base}:active`)) > 0 && Date.now() < deadline) {
        await redis.del(`${base}:stalled-check`);
        await new Promise((r) => setTimeout(r, 60));
      }
      await sweeper.close();
      await connection.quit().catch(() => undefined);
      await redis.del(`${base}:stalled-check`);
    }
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
  return recovered;
}
