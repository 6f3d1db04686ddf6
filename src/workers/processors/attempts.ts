import type { Job } from 'bullmq';

/** True while running the last attempt BullMQ will make (attemptsMade counts finished attempts). */
export function isFinalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
