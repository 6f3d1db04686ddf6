import type { Clock } from '../../clock.js';
import { scheduleProgramme } from '../../domain/schedule.js';
import type { BbbClient } from '../../providers/bbb/bbb-client.js';
import type { JobPayload } from '../../queue/job-registry.js';
import type { AttendanceSchedule } from '../../services/attendance-schedule.js';
import type { EventStore } from '../../store/event-store.js';
import type { PresenceStore } from '../../store/presence-store.js';

export interface AttendancePollDeps {
  events: Pick<EventStore, 'get'>;
  bbb: Pick<BbbClient, 'getMeetingInfo'>;
  meetingIdFor(eventId: string, roomId: string): string;
  presence: Pick<PresenceStore, 'recordPoll'>;
  schedule: Pick<AttendanceSchedule, 'pollAfter' | 'pollIntervalMs'>;
  clock: Clock;
}

/** Polls after the scheduled end are for overruns; a room still "running" a day later is not ours to watch. */
const GIVE_UP_AFTER_END_MS = 24 * 60 * 60_000;

/**
 * One look at who is in a room (getMeetingInfo lists only the people present now, by the join's userID), then the
 * next look one interval later. The chain ends once the room's time is over and BigBlueButton no longer runs it;
 * before that an absent meeting (expired while empty, not created yet) is simply looked for again.
 */
export function attendancePollBbb(deps: AttendancePollDeps) {
  return async (payload: JobPayload<'attendance.poll-bbb'>): Promise<unknown> => {
    const { eventId, roomId, slot } = payload;
    const stored = await deps.events.get(eventId);
    const room = stored && scheduleProgramme(stored.programme).rooms.find((r) => r.id === roomId && r.provider === 'bbb');
    if (!room) return { stopped: 'room no longer in the programme' };
    const tick = deps.clock.now().getTime();
    const endsAt = Date.parse(room.endsAt);
    const info = await deps.bbb.getMeetingInfo(deps.meetingIdFor(eventId, roomId));
    const running = info !== null && info.running && !info.hasBeenForciblyEnded;
    let present = 0;
    if (info && running) {
      const ids = info.attendees.map((a) => a.userID).filter((id) => id !== '');
      // Polls that failed leave a gap; up to three missed ones are bridged as presence, longer outages are not.
      await deps.presence.recordPoll(eventId, roomId, info.internalMeetingID, tick, ids, deps.schedule.pollIntervalMs * 3.5);
      present = ids.length;
    }
    if ((tick >= endsAt && !running) || tick >= endsAt + GIVE_UP_AFTER_END_MS) return { stopped: 'the room is over', present };
    await deps.schedule.pollAfter(eventId, roomId, slot);
    return { present };
  };
}
