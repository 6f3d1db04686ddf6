import { UnrecoverableError, type Job } from 'bullmq';
import { isFinalAttempt } from './attempts.js';
import type { Clock } from '../../src/clock.js';
import { normaliseEmail, type Participant } from '../../src/domain/participant.js';
import { isZoomApiError } from '../../src/providers/zoom/zoom-errors.js';
import type { ZoomClient } from '../../src/providers/zoom/zoom-client.js';
import type { JobPayload } from '../../src/queue/job-registry.js';
import { ProviderRateLimited } from '../../src/queue/rate-limited.js';
import type { ParticipantStore } from '../../src/store/participant-store.js';
import type { RoomStateStore } from '../../src/store/room-state-store.js';
import type { Registration, ZoomStore } from '../../src/store/zoom-store.js';
import type { Logger } from '../../src/logger.js';
import type { CallPacer } from '../../src/providers/zoom/call-pacer.js';

export interface ZoomRegisterBatchDeps {
  rooms: RoomStateStore;
  participants: Pick<ParticipantStore, 'get'>;
  zoom: ZoomClient;
  zoomStore: ZoomStore;
  clock: Clock;
  pacer?: CallPacer;
  logger: Logger;
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
    const release = () => deps.zoomStore.releaseQueued(eventId, roomId, participantIds);

    const records = (await Promise.all(participantIds.map((id) => deps.participants.get(eventId, id)))).filter(
      (p): p is Participant => p !== undefined && p.role !== 'panelist',
    );
    const already = await deps.zoomStore.registrations(eventId, roomId, records.map((p) => p.id));
    let todo = records.filter((p) => !already.has(p.id));

    try {
      // A previous attempt may have reached Zoom and died before recording the answer: ask Zoom first.
      const uncertain = await deps.zoomStore.inFlight(eventId, roomId, todo.map((p) => p.id));
      if (uncertain.length > 0) {
        const found = await reconcile(deps, webinarId, todo.filter((p) => uncertain.includes(p.id)));
        await deps.zoomStore.saveRegistrations(eventId, roomId, found);
        await deps.zoomStore.clearInFlight(eventId, roomId, [...found.keys()]);
        todo = todo.filter((p) => !found.has(p.id));
      }
      if (todo.length === 0) {
        await release();
        return { registered: 0 };
      }

      const day = deps.clock.now().toISOString().slice(0, 10);
      const counts = await deps.zoomStore.addsToday(eventId, roomId, todo.map((p) => p.id), day);
      const exhausted = todo.filter((p) => (counts.get(p.id) ?? 0) >= ZOOM_ADDS_PER_REGISTRANT_AND_DAY);
      if (exhausted.length > 0) {
        deps.logger.warn({ eventId, roomId, participants: exhausted.map((p) => p.id) }, 'daily Zoom add limit reached for some registrants; they are retried after 00:00 UTC');
        todo = todo.filter((p) => !exhausted.includes(p));
      }
      if (todo.length === 0) {
        await release();
        return { registered: 0, deferred: exhausted.length };
      }

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
        throw error;
      }
      const byEmail = new Map(reply.registrants.map((r) => [normaliseEmail(r.email), r]));
      const saved = new Map<string, Registration>();
      for (const p of todo) {
        const r = byEmail.get(normaliseEmail(p.email));
        if (r) saved.set(p.id, { registrantId: r.registrant_id, joinUrl: r.join_url, email: p.email });
      }
      await deps.zoomStore.saveRegistrations(eventId, roomId, saved);
      await deps.zoomStore.clearInFlight(eventId, roomId, [...saved.keys()]);
      await release();
      return { registered: saved.size, missing: todo.length - saved.size };
    } catch (error) {
      if (isZoomApiError(error) && error.status === 429) throw new ProviderRateLimited(error.retryAfterMs ?? 1000, error.message);
      if ((isZoomApiError(error) && error.permanent) || isFinalAttempt(job)) {
        // Hand the people back to the planner; anything still in flight is reconciled by the next batch.
        await release();
        if (isZoomApiError(error) && error.permanent) throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  };
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
