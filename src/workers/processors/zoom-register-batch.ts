import { createHash } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import { isFinalAttempt } from './attempts.js';
import type { Clock } from '../../clock.js';
import { normaliseEmail, type Participant } from '../../domain/participant.js';
import { isAccountRateLimit, isZoomApiError, nextUtcMidnightMs, rateLimitResetMs, refusedRegistrant } from '../../providers/zoom/zoom-errors.js';
import type { ZoomClient } from '../../providers/zoom/zoom-client.js';
import { jobId, type JobPayload } from '../../queue/job-registry.js';
import type { Queues } from '../../queue/queues.js';
import { ProviderRateLimited } from '../../queue/rate-limited.js';
import type { ParticipantStore } from '../../store/participant-store.js';
import type { RoomStateStore } from '../../store/room-state-store.js';
import type { Registration, ZoomStore } from '../../store/zoom-store.js';
import type { Logger } from '../../logger.js';
import type { CallPacer } from '../../providers/zoom/call-pacer.js';

export interface ZoomRegisterBatchDeps {
  rooms: RoomStateStore;
  participants: Pick<ParticipantStore, 'get'>;
  zoom: ZoomClient;
  zoomStore: ZoomStore;
  clock: Clock;
  pacer?: CallPacer;
  logger: Logger;
  /** For the delayed job that adds people Zoom refused for today once its limit resets. */
  queues: Pick<Queues, 'enqueue'>;
}

/** Zoom wants a first name (≤ 64) and accepts a last name: the last word of the name goes there. */
export function splitName(name: string): { first_name: string; last_name?: string } {
  const words = name.trim().split(/\s+/);
  if (words.length < 2) return { first_name: name.trim().slice(0, 64) };
  return { first_name: words.slice(0, -1).join(' ').slice(0, 64), last_name: (words.at(-1) ?? '').slice(0, 64) };
}

const ZOOM_ADDS_PER_REGISTRANT_AND_DAY = 3;

/** One batch registration call (≤ 30 people). Never more than one add per registrant in normal operation. */
export function zoomRegisterBatch(deps: ZoomRegisterBatchDeps) {
  return async (payload: JobPayload<'zoom.register-batch'>, job: Job): Promise<unknown> => {
    const { eventId, roomId, participantIds } = payload;
    const state = await deps.rooms.get(eventId, roomId);
    if (!state?.webinarId) throw new Error(`webinar for ${roomId} is not created yet`);
    const webinarId = state.webinarId;
    const now = deps.clock.now();

    const records = (await Promise.all(participantIds.map((id) => deps.participants.get(eventId, id)))).filter(
      (p): p is Participant => p !== undefined && p.role !== 'panelist',
    );
    const already = await deps.zoomStore.registrations(eventId, roomId, records.map((p) => p.id));
    // A person Zoom refused for today belongs to the job that retries them after the reset; sending them sooner
    // (this job's own retry, say) would only be refused again.
    const holds = await deps.zoomStore.heldBack(eventId, roomId);
    const heldElsewhere = new Set(
      participantIds.filter((id) => {
        const hold = holds.get(id);
        return hold !== undefined && hold.jobId !== job.id && Date.parse(hold.retryAt) > now.getTime();
      }),
    );
    let todo = records.filter((p) => !already.has(p.id) && !heldElsewhere.has(p.id));
    const held = new Map<string, { retryAt: string; reason: string }>();
    const holdBack = () => holdForRetry(deps, eventId, roomId, held, now);
    // Done with everyone except the people held back: their claims now belong to the retry job.
    const finish = async () => {
      const done = participantIds.filter((id) => !held.has(id) && !heldElsewhere.has(id));
      await deps.zoomStore.releaseHeld(eventId, roomId, done);
      await deps.zoomStore.releaseQueued(eventId, roomId, done, job.id);
    };

    try {
      // A previous attempt may have reached Zoom and died before recording the answer: ask Zoom first.
      const uncertain = await deps.zoomStore.inFlight(eventId, roomId, todo.map((p) => p.id));
      if (uncertain.length > 0) {
        const found = await reconcile(deps, webinarId, todo.filter((p) => uncertain.includes(p.id)));
        await deps.zoomStore.saveRegistrations(eventId, roomId, found);
        await deps.zoomStore.clearInFlight(eventId, roomId, [...found.keys()]);
        todo = todo.filter((p) => !found.has(p.id));
      }

      const day = now.toISOString().slice(0, 10);
      const counts = await deps.zoomStore.addsToday(eventId, roomId, todo.map((p) => p.id), day);
      for (const p of todo.filter((p) => (counts.get(p.id) ?? 0) >= ZOOM_ADDS_PER_REGISTRANT_AND_DAY)) {
        const reason = `${ZOOM_ADDS_PER_REGISTRANT_AND_DAY} adds were already sent for this registrant today, Zoom's daily limit per registrant`;
        held.set(p.id, { retryAt: retryAfterReset(nextUtcMidnightMs(now.getTime())), reason });
      }
      todo = todo.filter((p) => !held.has(p.id));

      const saved = new Map<string, Registration>();
      while (todo.length > 0) {
        await deps.pacer?.acquire();
        await deps.zoomStore.markInFlight(eventId, roomId, todo.map((p) => p.id), day);
        let reply;
        try {
          reply = await deps.zoom.addBatchRegistrants(webinarId, {
            autoApprove: true,
            registrants: todo.map((p) => ({ email: p.email, ...splitName(p.name) })),
          });
        } catch (error) {
          // A 429 or a validation error means Zoom did not register anyone: the batch is not in doubt.
          if (isZoomApiError(error) && (error.status === 429 || error.permanent)) {
            await deps.zoomStore.clearInFlight(eventId, roomId, todo.map((p) => p.id), day);
          }
          // The batch call is all or nothing, so one person over their own daily limit refuses it for all:
          // that person waits for Zoom's reset, everybody else goes again at once.
          const email = refusedRegistrant(error);
          const refused = email === undefined ? undefined : todo.find((p) => normaliseEmail(p.email) === normaliseEmail(email));
          if (!refused || !isZoomApiError(error) || !error.rateLimit) throw error;
          held.set(refused.id, { retryAt: retryAfterReset(rateLimitResetMs(error.rateLimit, now.getTime())), reason: error.message });
          todo = todo.filter((p) => p !== refused);
          continue;
        }
        const byEmail = new Map(reply.registrants.map((r) => [normaliseEmail(r.email), r]));
        for (const p of todo) {
          const r = byEmail.get(normaliseEmail(p.email));
          if (r) saved.set(p.id, { registrantId: r.registrant_id, joinUrl: r.join_url, email: p.email });
        }
        await deps.zoomStore.saveRegistrations(eventId, roomId, saved);
        await deps.zoomStore.clearInFlight(eventId, roomId, [...saved.keys()]);
        break;
      }
      await holdBack();
      await finish();
      return { registered: saved.size, missing: todo.length - saved.size, heldBack: held.size };
    } catch (error) {
      // Whoever Zoom already refused stays held back whatever else went wrong.
      await holdBack().catch((holdError: unknown) =>
        deps.logger.warn({ eventId, roomId, err: { message: (holdError as Error).message } }, 'could not record registrants held back; the retry finds them again'),
      );
      if (isAccountRateLimit(error)) throw new ProviderRateLimited(error.retryAfterMs ?? 1000, error.message);
      if ((isZoomApiError(error) && error.permanent) || isFinalAttempt(job)) {
        // Hand the people back to the planner; anything still in flight is reconciled by the next batch.
        await finish();
        if (isZoomApiError(error) && error.permanent) throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  };
}

/** Clocks differ a little: retrying just after Zoom's reset keeps its clock's 23:59:59 from costing a whole day. */
const RESET_MARGIN_MS = 10_000;
const retryAfterReset = (resetMs: number) => new Date(resetMs + RESET_MARGIN_MS).toISOString();

/**
 * One delayed batch job per retry time takes over the held people's claims, so the planner leaves them alone
 * until then and adds them again only if that job is lost.
 */
async function holdForRetry(
  deps: ZoomRegisterBatchDeps,
  eventId: string,
  roomId: string,
  held: ReadonlyMap<string, { retryAt: string; reason: string }>,
  now: Date,
): Promise<void> {
  const byTime = new Map<string, string[]>();
  for (const [id, { retryAt }] of held) byTime.set(retryAt, [...(byTime.get(retryAt) ?? []), id]);
  for (const [retryAt, ids] of byTime) {
    const at = Date.parse(retryAt);
    const id = jobId('zoom.register-batch', eventId, roomId, 'held', at, createHash('sha256').update([...ids].sort().join(',')).digest('hex').slice(0, 16));
    await deps.queues.enqueue('zoom.register-batch', { eventId, roomId, participantIds: ids }, { jobId: id, delay: Math.max(0, at - now.getTime()) });
    const entries = new Map(ids.map((pid) => [pid, { ...(held.get(pid) as { retryAt: string; reason: string }), jobId: id }]));
    await deps.zoomStore.holdBack(eventId, roomId, entries);
    deps.logger.warn({ eventId, roomId, participants: ids, retryAt }, 'Zoom refused these registrants for today (their own daily limit); the others were sent, these follow after the reset');
  }
}

async function reconcile(deps: ZoomRegisterBatchDeps, webinarId: string, people: readonly Participant[]): Promise<Map<string, Registration>> {
  const listed = new Map<string, { id: string; join_url?: string | undefined }>();
  for (const status of ['approved', 'pending'] as const) {
    for (const r of await deps.zoom.listRegistrants(webinarId, status)) listed.set(normaliseEmail(r.email), r);
  }
  const found = new Map<string, Registration>();
  for (const p of people) {
    const r = listed.get(normaliseEmail(p.email));
    if (r?.join_url) found.set(p.id, { registrantId: r.id, joinUrl: r.join_url, email: p.email });
  }
  return found;
}
