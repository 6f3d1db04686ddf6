import { createHash } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { normaliseEmail } from '../../domain/participant.js';
import { panelistsToAdd, registrantChanges } from '../../domain/registrant-changes.js';
import { isAccountRateLimit, isZoomApiError, refusedRegistrant } from '../../providers/zoom/zoom-errors.js';
import { wallClock, type Clock } from '../../clock.js';
import type { ZoomClient } from '../../providers/zoom/zoom-client.js';
import { jobId, type JobPayload } from '../../queue/job-registry.js';
import type { Queues } from '../../queue/queues.js';
import { ProviderRateLimited } from '../../queue/rate-limited.js';
import type { ParticipantStore } from '../../store/participant-store.js';
import type { RoomStateStore } from '../../store/room-state-store.js';
import type { Registration, ZoomStore } from '../../store/zoom-store.js';

export interface ZoomSyncRegistrantsDeps {
  clock: Clock;
  rooms: RoomStateStore;
  participants: Pick<ParticipantStore, 'list'>;
  zoom: ZoomClient;
  zoomStore: ZoomStore;
  queues: Queues;
}

const BATCH = 30;
/**
 * A claim is written just before its batch job is enqueued; a claim whose job is missing for longer than
 * this belongs to a planner that died in between, and is released.
 */
const CLAIM_GRACE_MS = 30_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Plans registration for one webinar: panelists are added directly (few, MEDIUM label), attendees are
 * handed out in batch jobs of at most 30 that the rate-limited queue paces, and registrants whose
 * participant was removed are cancelled.
 */
export function zoomSyncRegistrants(deps: ZoomSyncRegistrantsDeps) {
  return async (payload: JobPayload<'zoom.sync-registrants'>): Promise<unknown> => {
    const { eventId, roomId, seq } = payload;
    if (seq < (await deps.zoomStore.currentSeq(eventId, roomId))) return { skipped: 'superseded' };
    const state = await deps.rooms.get(eventId, roomId);
    if (!state?.webinarId || state.status !== 'ready') return { skipped: 'webinar not ready' };
    const webinarId = state.webinarId;

    try {
      const participants = await deps.participants.list(eventId);
      const panelists = participants.filter((p) => p.role === 'panelist');
      const attendees = participants.filter((p) => p.role !== 'panelist');

      if (panelists.length > 0) {
        const known = new Set((await deps.zoom.listPanelists(webinarId)).map((p) => normaliseEmail(p.email)));
        for (const batch of chunks(panelistsToAdd(panelists, known), BATCH)) {
          await deps.zoom.addPanelists(webinarId, batch.map((p) => ({ email: p.email, name: p.name })));
        }
      }
      const panelistUrls = new Map(
        (panelists.length > 0 ? await deps.zoom.listPanelists(webinarId) : [])
          .filter((p) => p.join_url)
          .map((p) => [normaliseEmail(p.email), p.join_url ?? '']),
      );
      await deps.zoomStore.savePanelists(eventId, roomId, panelistUrls);

      const registered = await deps.zoomStore.allRegistrations(eventId, roomId);
      const { queued, waitForClaims } = await releaseOrphanedClaims(deps, eventId, roomId);
      // Held-back people are claimed by their retry job, so they are among the queued here.
      const changes = registrantChanges({ participants, registered: registered.keys(), now: deps.clock.now().getTime() });
      const pending = changes.add.filter((id) => !queued.has(id));
      let batches = 0;
      for (const ids of chunks(pending, BATCH)) {
        // The planner's seq is part of the id: the same people planned again after a failure get a new job,
        // where BullMQ would silently ignore an id it still remembers as completed or failed.
        const id = jobId('zoom.register-batch', eventId, roomId, seq, createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16));
        const claimed = await deps.zoomStore.claimQueued(eventId, roomId, ids, id);
        if (claimed.length === 0) continue;
        await deps.queues.enqueue('zoom.register-batch', { eventId, roomId, participantIds: claimed }, { jobId: id });
        batches++;
      }

      const active = new Set(attendees.map((p) => p.id));
      // A removed person is no longer waiting for Zoom's reset; their retry job finds them gone and lets go of the claim.
      const held = await deps.zoomStore.heldBack(eventId, roomId);
      await deps.zoomStore.releaseHeld(eventId, roomId, [...held.keys()].filter((pid) => !active.has(pid)));
      const stale = changes.cancel.map((pid) => [pid, registered.get(pid)!] as const);
      let deferred = 0;
      for (const batch of chunks(stale, BATCH)) deferred += await cancelRegistrations(deps, eventId, roomId, webinarId, batch);
      if (waitForClaims) {
        // Claims too young to judge: look again once they can be.
        const next = await deps.zoomStore.nextSeq(eventId, roomId);
        await deps.queues.enqueue('zoom.sync-registrants', { eventId, roomId, seq: next }, { jobId: jobId('zoom.sync-registrants', eventId, roomId, next), delay: CLAIM_GRACE_MS });
      }
      return { batches, cancelled: stale.length - deferred, cancelDeferred: deferred, panelists: panelistUrls.size };
    } catch (error) {
      if (isAccountRateLimit(error)) throw new ProviderRateLimited(error.retryAfterMs ?? 1000, error.message);
      if (isZoomApiError(error) && error.permanent) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}

/**
 * Cancels one chunk of registrations. Zoom refuses the whole call when one registrant has used up their status
 * changes for the day, naming them by email; that one keeps their registration (the plan still lists the cancel,
 * the next sync tries again) and the rest are sent again at once. Registrations erased before their cancel have no
 * email to match a refusal against, so each goes alone. Returns how many were left for later.
 */
async function cancelRegistrations(
  deps: ZoomSyncRegistrantsDeps,
  eventId: string,
  roomId: string,
  webinarId: string,
  batch: ReadonlyArray<readonly [string, Registration]>,
): Promise<number> {
  const cancel = async (entries: ReadonlyArray<readonly [string, Registration]>) => {
    await deps.zoom.updateRegistrantStatus(webinarId, 'cancel', entries.map(([, r]) => ({ id: r.registrantId, ...(r.email === undefined ? {} : { email: r.email }) })));
    await deps.zoomStore.retireRegistrations(eventId, roomId, entries.map(([pid]) => pid));
  };
  let deferred = 0;
  for (const entry of batch.filter(([, r]) => r.email === undefined)) {
    try {
      await cancel([entry]);
    } catch (error) {
      if (refusedRegistrant(error) === undefined) throw error;
      deferred += 1;
    }
  }
  let todo = batch.filter(([, r]) => r.email !== undefined);
  while (todo.length > 0) {
    try {
      await cancel(todo);
      break;
    } catch (error) {
      const email = refusedRegistrant(error);
      const refused = email === undefined ? undefined : todo.find(([, r]) => normaliseEmail(r.email!) === normaliseEmail(email));
      if (!refused) throw error;
      todo = todo.filter((entry) => entry !== refused);
      deferred += 1;
    }
  }
  return deferred;
}

/**
 * Claims outlive their batch job when a worker dies at the wrong moment: BullMQ fails a job that stalled
 * too often without running it (so it never releases its claims), and a planner killed between claiming
 * and enqueueing leaves claims naming a job that never existed. Both are released here so the people are
 * planned again; anything that did reach Zoom is still marked in flight and reconciled by the next batch.
 */
async function releaseOrphanedClaims(
  deps: ZoomSyncRegistrantsDeps,
  eventId: string,
  roomId: string,
): Promise<{ queued: Set<string>; waitForClaims: boolean }> {
  const claims = await deps.zoomStore.queuedClaims(eventId, roomId);
  const byJob = new Map<string, { at: number; ids: string[] }>();
  for (const [pid, claim] of claims) {
    const entry = byJob.get(claim.jobId) ?? { at: claim.at, ids: [] };
    entry.ids.push(pid);
    entry.at = Math.max(entry.at, claim.at);
    byJob.set(claim.jobId, entry);
  }
  const orphans: string[] = [];
  let waitForClaims = false;
  for (const [id, { at, ids }] of byJob) {
    const job = await deps.queues.get('zoom-registrants').getJob(id);
    const state = job ? await job.getState() : 'missing';
    if (state === 'completed' || state === 'failed' || state === 'unknown') orphans.push(...ids);
    else if (state === 'missing') {
      if (wallClock.now().getTime() - at > CLAIM_GRACE_MS) orphans.push(...ids);
      else waitForClaims = true;
    }
  }
  await deps.zoomStore.releaseQueued(eventId, roomId, orphans);
  const released = new Set(orphans);
  return { queued: new Set([...claims.keys()].filter((pid) => !released.has(pid))), waitForClaims };
}
