import { UnrecoverableError, type Job } from 'bullmq';
import type { Clock } from '../../clock.js';
import { scheduleProgramme } from '../../domain/schedule.js';
import { BbbApiError } from '../../providers/bbb/bbb-errors.js';
import type { JobPayload } from '../../queue/job-registry.js';
import type { BbbRooms } from '../../services/bbb-rooms.js';
import type { EventStore } from '../../store/event-store.js';
import type { RoomStateStore } from '../../store/room-state-store.js';
import { isFinalAttempt } from './attempts.js';

export interface BbbCreateRoomDeps {
  events: Pick<EventStore, 'get'>;
  rooms: RoomStateStore;
  bbbRooms: BbbRooms;
  clock: Clock;
  /** The room runs: attendance polling starts (idempotent per room and poll slot). */
  onReady?: (eventId: string, roomId: string) => Promise<void>;
}

/** Warm-up create: makes the room exist before the first session, and surfaces a broken set-up early. */
export function bbbCreateRoom(deps: BbbCreateRoomDeps) {
  return async (payload: JobPayload<'bbb.create-room'>, job: Job): Promise<{ meetingID: string; createTime: number } | { skipped: string }> => {
    const { eventId, roomId } = payload;
    const stored = await deps.events.get(eventId);
    const schedule = stored && scheduleProgramme(stored.programme);
    const room = schedule?.rooms.find((r) => r.id === roomId && r.provider === 'bbb');
    if (!stored || !schedule || !room) return { skipped: 'room no longer in the programme' };
    const state = await deps.rooms.get(eventId, roomId);
    // A warm-up re-timed by a programme change is superseded; a "provision now" always runs.
    if (payload.reason === 'warm-up' && state?.jobId !== undefined && state.jobId !== job.id) return { skipped: 'superseded by a newer schedule' };

    await deps.rooms.update(eventId, roomId, { status: 'provisioning', error: undefined }, deps.clock.now());
    try {
      const meeting = await deps.bbbRooms.ensureRunning(stored.programme, room, schedule.sessions);
      await deps.rooms.update(eventId, roomId, { status: 'ready', readyAt: deps.clock.now().toISOString(), meetingId: meeting.meetingID, error: undefined }, deps.clock.now());
      await deps.onReady?.(eventId, roomId);
      return meeting;
    } catch (error) {
      const message = (error as Error).message;
      const permanent = error instanceof BbbApiError && error.permanent;
      const final = permanent || isFinalAttempt(job);
      await deps.rooms.update(eventId, roomId, { status: final ? 'failed' : 'provisioning', error: final ? message : `retrying: ${message}` }, deps.clock.now());
      if (permanent) throw new UnrecoverableError(message);
      throw error;
    }
  };
}
