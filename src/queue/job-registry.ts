import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * Every job the service runs: name → payload schema → queue and default options. Producers and the
 * worker both go through this map, so a payload is checked when it is enqueued and again when it runs.
 * Payloads carry ids only, never secrets or provider URLs.
 */
export const jobRegistry = {
  'bbb.create-room': {
    queue: 'bbb',
    payload: z.object({ eventId: z.string(), roomId: z.string(), reason: z.enum(['warm-up', 'provision-now']) }),
    options: { attempts: 8, backoff: { type: 'exponential', delay: 2_000 } },
  },
  'zoom.sync-webinar': {
    queue: 'zoom',
    payload: z.object({ eventId: z.string(), roomId: z.string(), version: z.number().int().optional() }),
    options: { attempts: 10, backoff: { type: 'exponential', delay: 5_000 } },
  },
  'zoom.sync-registrants': {
    queue: 'zoom',
    payload: z.object({ eventId: z.string(), roomId: z.string(), seq: z.number().int() }),
    options: { attempts: 10, backoff: { type: 'exponential', delay: 2_000 } },
  },
  // One Zoom batch call per job, so the queue's limiter paces calls at Zoom's per-second rate for HEAVY.
  'zoom.register-batch': {
    queue: 'zoom-registrants',
    payload: z.object({ eventId: z.string(), roomId: z.string(), participantIds: z.array(z.string()).min(1).max(30) }),
    options: { attempts: 12, backoff: { type: 'exponential', delay: 2_000 } },
  },
  // One job per message, its id the message's: a cause that repeats plans the message once. The queue's
  // limiter is MAIL_MAX_PER_SECOND across all workers; SMTP 4xx and lost connections retry with backoff.
  'mail.send': {
    queue: 'mail',
    payload: z.object({ eventId: z.string(), messageId: z.string() }),
    options: { attempts: 10, backoff: { type: 'exponential', delay: 10_000 } },
  },
  // After a programme change: reminders re-timed or dropped, change notices planned (one job per version);
  // with participantIds, only those new participants: their reminders and, with invite, their invitations.
  'messages.plan': {
    queue: 'messages',
    payload: z.object({
      eventId: z.string(),
      version: z.number().int(),
      participantIds: z.array(z.string()).min(1).max(1000).optional(),
      invite: z.boolean().optional(),
    }),
    options: { attempts: 5, backoff: { type: 'exponential', delay: 2_000 } },
  },
  // One poll of a running BigBlueButton room; the job schedules the next slot itself. Ids name the room and
  // the slot (time / ATTENDANCE_POLL_SECONDS), so two chains started for one room merge into one.
  'attendance.poll-bbb': {
    queue: 'bbb',
    payload: z.object({ eventId: z.string(), roomId: z.string(), slot: z.number().int().nonnegative() }),
    options: { attempts: 3, backoff: { type: 'fixed', delay: 2_000 } },
  },
  // Zoom's past participants after a webinar: on the queue of the other Zoom calls, under its limiter.
  'attendance.zoom-reconcile': {
    queue: 'zoom',
    payload: z.object({ eventId: z.string(), roomId: z.string(), reason: z.enum(['ended', 'scheduled']), due: z.number().int() }),
    options: { attempts: 8, backoff: { type: 'exponential', delay: 60_000 } },
  },
  // Certificates for everyone eligible, after the last session (with a margin for late presence) or on request.
  'certificates.issue': {
    queue: 'messages',
    payload: z.object({ eventId: z.string(), reason: z.enum(['scheduled', 'requested']), due: z.number().int() }),
    options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
  },
} as const satisfies Record<string, { queue: QueueName; payload: z.ZodType; options: JobsOptions }>;

export type QueueName = 'bbb' | 'zoom' | 'zoom-registrants' | 'mail' | 'messages';
export const QUEUE_NAMES: readonly QueueName[] = ['bbb', 'zoom', 'zoom-registrants', 'mail', 'messages'];

export type JobName = keyof typeof jobRegistry;
export type JobPayload<N extends JobName> = z.infer<(typeof jobRegistry)[N]['payload']>;

/** Job ids are deterministic so a repeated enqueue of the same work is a no-op (BullMQ forbids ':'). */
export function jobId(name: JobName, ...parts: Array<string | number>): string {
  return [name, ...parts].join('.').replace(/:/g, '_');
}

export const KEEP_FINISHED = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } } as const;
