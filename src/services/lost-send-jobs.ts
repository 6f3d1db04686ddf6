import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { MessageRecord } from '../domain/messages.js';
import { missingJobIds } from '../queue/missing-jobs.js';
import type { Queues } from '../queue/queues.js';
import type { MessageStore } from '../store/message-store.js';
import { sendJobId } from './message-service.js';

export interface LostSendJobsDeps {
  /** The queues' Redis: job existence is asked in bulk there. */
  redis: Redis;
  messages: Pick<MessageStore, 'get'>;
  queues: Queues;
  clock: Clock;
}

/** Re-read and queued in chunks, like planning: a failover that lost thousands of jobs is a few rounds. */
const CHUNK = 500;

/**
 * The re-planning pass's share of send jobs. Replication is asynchronous, so a failover can keep a `queued`
 * message and lose the `mail.send` job written after it (or the job that replaced it when it was re-timed);
 * nothing would ever send it. Its job is added again under the message's own id, due at `plannedFor`, at once
 * when that has passed (mail-send then sends it, or records why not, e.g. a reminder whose day has begun).
 *
 * Only where the job is missing: one that exists in any state is left alone, so a message mid-send (`queued`,
 * its attempt counted, its job active, or stalled and retried by BullMQ) gets no second job. Sent, failed and
 * withdrawn messages are not `queued`, so they get none. Attempts are not looked at: a lost job took every
 * attempt it made with it (the replication stream is ordered), so a message whose job was lost shows only
 * those of earlier jobs. The one other way to be `queued` without a job is a job that failed without its
 * outcome being written (stalled out, Redis gone on the last attempt) and was trimmed from the failed list:
 * sending it again can repeat a mail that was in flight, with the same Message-ID, as after a killed worker.
 *
 * `queued` is what the caller listed; returns how many jobs were added.
 */
export async function requeueLostSendJobs(deps: LostSendJobsDeps, eventId: string, queued: readonly MessageRecord[]): Promise<number> {
  const candidates = queued.filter((m) => m.status === 'queued');
  const jobIds = candidates.map((m) => sendJobId(eventId, m.id));
  const missing = await missingJobIds(deps.redis, deps.queues.get('mail'), jobIds);
  const lost = candidates.filter((_, at) => missing.has(jobIds[at]!));
  let added = 0;
  for (let i = 0; i < lost.length; i += CHUNK) {
    // Read again after the check: a job goes for good (completed and trimmed, withdrawn) only after its message
    // left `queued`, so one still queued now has lost its job; a re-timing since the listing (which replaces the
    // job under the same id) shows in plannedFor.
    const current = await Promise.all(lost.slice(i, i + CHUNK).map((m) => deps.messages.get(eventId, m.id)));
    const now = deps.clock.now().getTime();
    const jobs = current
      .filter((r): r is MessageRecord => r?.status === 'queued')
      .map((r) => ({
        name: 'mail.send' as const,
        payload: { eventId, messageId: r.id },
        options: { jobId: sendJobId(eventId, r.id), delay: r.plannedFor === undefined ? 0 : Math.max(0, Date.parse(r.plannedFor) - now) },
      }));
    // Should another planner have added one meanwhile, BullMQ keeps that job and this add is a no-op.
    await deps.queues.enqueueMany(jobs);
    added += jobs.length;
  }
  return added;
}
