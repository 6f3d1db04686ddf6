import { UnrecoverableError, type Job } from 'bullmq';
import type { Clock } from '../../clock.js';
import { decideZoomWebinar } from '../../domain/provisioning-decision.js';
import { scheduleProgramme } from '../../domain/schedule.js';
import { isAccountRateLimit, isZoomApiError } from '../../providers/zoom/zoom-errors.js';
import type { ZoomClient } from '../../providers/zoom/zoom-client.js';
import type { JobPayload } from '../../queue/job-registry.js';
import { ProviderRateLimited } from '../../queue/rate-limited.js';
import type { Queues } from '../../queue/queues.js';
import { jobId } from '../../queue/job-registry.js';
import { interpretationMismatches, webinarSpec, webinarSpecHash } from '../../services/zoom/webinar-spec.js';
import type { EventStore } from '../../store/event-store.js';
import type { RoomStateStore } from '../../store/room-state-store.js';
import type { ZoomStore } from '../../store/zoom-store.js';
import { isFinalAttempt } from './attempts.js';
import type { Durability } from '../../store/durability.js';

export interface ZoomSyncWebinarDeps {
  events: Pick<EventStore, 'get'>;
  rooms: RoomStateStore;
  zoom: ZoomClient;
  zoomStore: ZoomStore;
  queues: Queues;
  clock: Clock;
  userId: string;
  onWebinarKnown?: (webinarId: string, eventId: string, roomId: string) => Promise<void>;
  /** The pending-create mark reaches a replica before the create goes out (a lost one means a second webinar). */
  durability?: Durability;
}

/** Creates, updates or deletes the conference day's webinar so it matches the programme, then plans registration. */
export function zoomSyncWebinar(deps: ZoomSyncWebinarDeps) {
  return async (payload: JobPayload<'zoom.sync-webinar'>, job: Job): Promise<unknown> => {
    const { eventId, roomId } = payload;
    const stored = await deps.events.get(eventId);
    const schedule = stored && scheduleProgramme(stored.programme);
    const room = schedule?.rooms.find((r) => r.id === roomId && r.provider === 'zoom');
    const state = await deps.rooms.get(eventId, roomId);
    const now = () => deps.clock.now();
    const findCreated = async ({ topic, startTime }: { topic: string; startTime: string }) => {
      const found = (await deps.zoom.listWebinars(deps.userId)).find((w) => w.topic === topic && w.start_time === startTime);
      return found ? String(found.id) : undefined;
    };

    try {
      if (!stored || !schedule || !room) {
        if (state?.webinarId) await deps.zoom.deleteWebinar(state.webinarId);
        await deps.zoomStore.clear(eventId, roomId);
        await deps.rooms.remove(eventId, [roomId]);
        return { deleted: state?.webinarId ?? null };
      }
      // Edits coalesce: a job for an older programme version leaves the work to the newer one.
      if (payload.version !== undefined && payload.version < stored.version) return { skipped: 'superseded' };

      const spec = webinarSpec(stored.programme, room, schedule.sessions);
      const hash = webinarSpecHash(spec);
      await deps.rooms.update(eventId, roomId, { status: state?.status === 'ready' ? 'ready' : 'provisioning', error: undefined }, now());

      const decision = decideZoomWebinar(state, hash, { configured: true });
      let webinarId = decision.kind === 'create' || decision.kind === 'unavailable' ? undefined : decision.webinarId;
      // A create whose answer was lost is found by its topic and start, then written like any other update.
      const adopted = decision.kind === 'create' && decision.adopt ? await findCreated(decision.adopt) : undefined;
      if (decision.kind === 'create' && !adopted) {
        const markPending = () => deps.rooms.update(eventId, roomId, { pendingCreate: { topic: spec.topic, startTime: spec.start_time } }, now());
        await (deps.durability ? deps.durability.confirm(markPending) : markPending());
        const created = await deps.zoom.createWebinar(deps.userId, spec);
        webinarId = String(created.id);
        await deps.rooms.update(eventId, roomId, { webinarId, appliedHash: hash, pendingCreate: undefined }, now());
      } else if (decision.kind === 'update' || adopted) {
        webinarId = adopted ?? webinarId;
        const { type: _type, ...patch } = spec;
        await deps.zoom.updateWebinar(webinarId!, patch);
        await deps.rooms.update(eventId, roomId, { webinarId, appliedHash: hash, pendingCreate: undefined }, now());
      }
      if (!webinarId) throw new Error('no webinar to provision');
      await deps.onWebinarKnown?.(webinarId, eventId, roomId);

      const readBack = await deps.zoom.getWebinar(webinarId);
      const problems = interpretationMismatches(spec, readBack);
      if (problems.length > 0) throw new UnrecoverableError(`Zoom did not keep the interpretation settings: ${problems.join('; ')}`);

      await deps.rooms.update(eventId, roomId, { status: 'ready', readyAt: state?.readyAt ?? now().toISOString(), error: undefined, languages: room.interpretation?.languages ?? [] }, now());
      const seq = await deps.zoomStore.nextSeq(eventId, roomId);
      await deps.queues.enqueue('zoom.sync-registrants', { eventId, roomId, seq }, { jobId: jobId('zoom.sync-registrants', eventId, roomId, seq) });
      return { webinarId };
    } catch (error) {
      if (isAccountRateLimit(error)) throw new ProviderRateLimited(error.retryAfterMs ?? 1000, error.message);
      const permanent = error instanceof UnrecoverableError || (isZoomApiError(error) && error.permanent);
      const final = permanent || isFinalAttempt(job);
      const message = (error as Error).message;
      await deps.rooms.update(eventId, roomId, { status: final ? 'failed' : 'provisioning', error: final ? message : `retrying: ${message}` }, now()).catch(() => undefined);
      if (permanent && !(error instanceof UnrecoverableError)) throw new UnrecoverableError(message);
      throw error;
    }
  };
}
