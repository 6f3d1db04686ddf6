import { z } from 'zod';
import type { Clock } from '../clock.js';
import { decideBbbRoom, decideRemovedRoom, decideZoomWebinar, needsWork } from '../domain/provisioning-decision.js';
import { scheduleProgramme, type RoomPlan } from '../domain/schedule.js';
import { jobId } from '../queue/job-registry.js';
import type { Queues } from '../queue/queues.js';
import type { StoredEvent } from '../store/event-store.js';
import type { RoomState, RoomStateStore } from '../store/room-state-store.js';
import type { Logger } from '../logger.js';
import type { ZoomStore } from '../store/zoom-store.js';
import { webinarSpec, webinarSpecHash } from './zoom/webinar-spec.js';

const SAMPLE = 100;

/** Registrants of a webinar Zoom refused for today, each with the moment they are sent again (up to 100 listed). */
export const heldBackSchema = z.object({
  count: z.number().int(),
  participants: z.array(z.object({ id: z.string(), retryAt: z.string(), reason: z.string() })),
});
export type HeldBack = z.infer<typeof heldBackSchema>;
export type RoomProvisioning = RoomState & { heldBack?: HeldBack };

export interface ProvisioningService {
  /** Brings jobs and room states in line with the stored programme: new rooms, re-timed rooms, removed rooms. */
  reconcile(event: StoredEvent): Promise<void>;
  /** Runs every room's provisioning now instead of on schedule. */
  provisionNow(event: StoredEvent): Promise<void>;
  status(eventId: string): Promise<RoomProvisioning[]>;
  /** Participants were added or removed: Zoom registration follows for every ready webinar. */
  participantsChanged(eventId: string): Promise<void>;
}

export interface ProvisioningDeps {
  queues: Queues;
  rooms: RoomStateStore;
  clock: Clock;
  logger: Logger;
  bbbLeadMinutes: number;
  providers: { bbb: boolean; zoom: boolean };
  zoomStore: Pick<ZoomStore, 'nextSeq' | 'heldBack'>;
}

export function createProvisioningService(deps: ProvisioningDeps): ProvisioningService {
  const { queues, rooms, clock, logger } = deps;

  const jobExists = async (queue: 'bbb' | 'zoom', id: string) => (await queues.get(queue).getJob(id)) !== undefined;

  async function dropJob(state: RoomState | undefined): Promise<void> {
    if (!state?.jobId) return;
    const queue = queues.get(state.provider);
    const job = await queue.getJob(state.jobId);
    const jobState = job ? await job.getState() : undefined;
    if (job && (jobState === 'delayed' || jobState === 'waiting' || jobState === 'prioritized')) await job.remove().catch(() => undefined);
  }

  async function planBbb(eventId: string, room: RoomPlan, previous: RoomState | undefined): Promise<void> {
    const now = clock.now();
    const decision = decideBbbRoom(room, previous, { now: now.getTime(), leadMinutes: deps.bbbLeadMinutes, configured: deps.providers.bbb });
    if (decision.kind === 'unavailable') {
      await rooms.put(eventId, { id: room.id, provider: 'bbb', status: 'pending', error: decision.reason, updatedAt: now.toISOString() });
      return;
    }
    if (decision.kind === 'finished') {
      await dropJob(previous);
      await rooms.plan(eventId, { ...(previous ?? {}), id: room.id, provider: 'bbb', status: 'pending', updatedAt: now.toISOString(), jobId: undefined, runAt: undefined });
      return;
    }
    const { runAt } = decision;
    const id = jobId('bbb.create-room', eventId, room.id, runAt);
    if (!needsWork(decision)) return;
    // Planned already, unless Redis lost the job (a failover can): then the same job goes in again.
    if (previous?.jobId === id && previous.status !== 'failed' && (previous.status === 'ready' || (await jobExists('bbb', id)))) return;
    if (previous?.jobId === id) {
      // BullMQ ignores an id it still holds as failed: remove it so the same warm-up can be tried again.
      await (await queues.get('bbb').getJob(id))?.remove().catch(() => undefined);
    } else if (!previous?.jobId?.includes('.now.')) {
      // A re-timed warm-up replaces the old one; a "provision now" job still waiting is left to run.
      await dropJob(previous);
    }
    await queues.enqueue('bbb.create-room', { eventId, roomId: room.id, reason: 'warm-up' }, { jobId: id, delay: Math.max(0, runAt - now.getTime()) });
    await rooms.plan(eventId, {
      id: room.id,
      provider: 'bbb',
      // A room already created stays ready; its warm-up will simply confirm it before the first session.
      status: previous?.status === 'ready' ? 'ready' : 'scheduled',
      updatedAt: now.toISOString(),
      jobId: id,
      runAt: new Date(runAt).toISOString(),
      ...(previous?.meetingId ? { meetingId: previous.meetingId } : {}),
      ...(previous?.status === 'ready' && previous.readyAt ? { readyAt: previous.readyAt } : {}),
    });
  }

  async function planZoom(event: StoredEvent, room: RoomPlan, previous: RoomState | undefined): Promise<void> {
    const { programme, version } = event;
    const now = clock.now();
    const hash = webinarSpecHash(webinarSpec(programme, room, scheduleProgramme(programme).sessions));
    const decision = decideZoomWebinar(previous, hash, { configured: deps.providers.zoom });
    if (decision.kind === 'unavailable') {
      await rooms.put(programme.id, { id: room.id, provider: 'zoom', status: 'pending', error: decision.reason, updatedAt: now.toISOString(), languages: room.interpretation?.languages ?? [] });
      return;
    }
    if (!needsWork(decision)) return;
    // One sync job per programme version: edits coalesce because a newer version's job reads the newest programme.
    const id = jobId('zoom.sync-webinar', programme.id, room.id, `v${version}`);
    if (previous?.jobId === id && (await jobExists('zoom', id))) return;
    await queues.enqueue('zoom.sync-webinar', { eventId: programme.id, roomId: room.id, version }, { jobId: id });
    await planZoomState(programme.id, room, previous, id);
  }

  /**
   * Merges into an existing state instead of replacing it: the sync job may have stored the webinar id a
   * moment ago, and a plan written from an older read must never erase it (that would create a second webinar).
   */
  async function planZoomState(eventId: string, room: RoomPlan, previous: RoomState | undefined, id: string): Promise<void> {
    const now = clock.now();
    const languages = room.interpretation?.languages ?? [];
    if (!previous) {
      await rooms.put(eventId, { id: room.id, provider: 'zoom', status: 'scheduled', updatedAt: now.toISOString(), jobId: id, languages });
      return;
    }
    await rooms.update(eventId, room.id, { jobId: id, languages, ...(previous.status === 'ready' ? {} : { status: 'scheduled' as const }) }, now);
  }

  return {
    async reconcile(event) {
      const { programme, version } = event;
      const wanted = scheduleProgramme(programme).rooms;
      const existing = new Map((await rooms.list(programme.id)).map((s) => [s.id, s]));
      for (const room of wanted) {
        const previous = existing.get(room.id);
        existing.delete(room.id);
        if (room.provider === 'bbb') await planBbb(programme.id, room, previous);
        else await planZoom(event, room, previous);
      }
      const removed: string[] = [];
      for (const stale of existing.values()) {
        const decision = decideRemovedRoom(stale.provider, stale, { zoomConfigured: deps.providers.zoom });
        if (decision.kind === 'delete-webinar') {
          // The sync job finds the day gone, deletes the webinar and forgets the room.
          await queues.enqueue('zoom.sync-webinar', { eventId: programme.id, roomId: stale.id }, { jobId: jobId('zoom.sync-webinar', programme.id, stale.id, `v${version}`) });
          continue;
        }
        await dropJob(stale);
        removed.push(stale.id);
      }
      await rooms.remove(programme.id, removed);
      logger.info({ eventId: programme.id, version, rooms: wanted.length, removed: removed.length }, 'provisioning reconciled');
    },
    async provisionNow(event) {
      const { programme, version } = event;
      const now = clock.now();
      for (const room of scheduleProgramme(programme).rooms) {
        const previous = await rooms.get(programme.id, room.id);
        if (room.provider === 'bbb') {
          if (!deps.providers.bbb) continue;
          await dropJob(previous);
          const id = jobId('bbb.create-room', programme.id, room.id, 'now', now.getTime());
          await queues.enqueue('bbb.create-room', { eventId: programme.id, roomId: room.id, reason: 'provision-now' }, { jobId: id });
          await rooms.plan(programme.id, { id: room.id, provider: 'bbb', status: 'scheduled', updatedAt: now.toISOString(), jobId: id, runAt: now.toISOString(), ...(previous?.meetingId ? { meetingId: previous.meetingId } : {}) });
        } else {
          if (!deps.providers.zoom) continue;
          const id = jobId('zoom.sync-webinar', programme.id, room.id, `v${version}`, 'now', now.getTime());
          await queues.enqueue('zoom.sync-webinar', { eventId: programme.id, roomId: room.id, version }, { jobId: id });
          await planZoomState(programme.id, room, previous, id);
        }
      }
    },
    async status(eventId) {
      const states = await rooms.list(eventId);
      return Promise.all(
        states.map(async (state): Promise<RoomProvisioning> => {
          if (state.provider !== 'zoom') return state;
          const held = [...(await deps.zoomStore.heldBack(eventId, state.id))].sort(([, a], [, b]) => a.retryAt.localeCompare(b.retryAt));
          if (held.length === 0) return state;
          const participants = held.slice(0, SAMPLE).map(([id, { retryAt, reason }]) => ({ id, retryAt, reason }));
          return { ...state, heldBack: { count: held.length, participants } };
        }),
      );
    },
    async participantsChanged(eventId) {
      if (!deps.providers.zoom) return;
      const ready = (await rooms.list(eventId)).filter((r) => r.provider === 'zoom' && r.status === 'ready' && r.webinarId);
      for (const room of ready) {
        const seq = await deps.zoomStore.nextSeq(eventId, room.id);
        await queues.enqueue('zoom.sync-registrants', { eventId, roomId: room.id, seq }, { jobId: jobId('zoom.sync-registrants', eventId, room.id, seq) });
      }
    },
  };
}
