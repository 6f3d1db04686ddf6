import type { Clock } from '../clock.js';
import { scheduleProgramme } from '../domain/schedule.js';
import type { BbbClient } from '../providers/bbb/bbb-client.js';
import type { ZoomClient } from '../providers/zoom/zoom-client.js';
import { isZoomApiError } from '../providers/zoom/zoom-errors.js';
import type { EventStore } from '../store/event-store.js';
import type { RoomStateStore } from '../store/room-state-store.js';
import type { BbbRooms } from './bbb-rooms.js';

export type HostLinkOutcome =
  | { kind: 'link'; url: string; expiresAt: string }
  | { kind: 'unknown'; what: 'event' | 'room' }
  | { kind: 'not-configured'; provider: 'bbb' | 'zoom' }
  | { kind: 'not-provisioned' }
  | { kind: 'unavailable'; provider: 'bbb' | 'zoom'; cause: string };

export interface HostLinkService {
  hostLink(eventId: string, roomId: string): Promise<HostLinkOutcome>;
}

/** Zoom: "The expiration time for the start_url field is two hours for all regular users" (webinar GET docs). */
const ZOOM_START_URL_MS = 2 * 60 * 60_000;
/**
 * A moderator join names the meeting's createTime, and BigBlueButton drops a meeting nobody joined within 5
 * minutes: the link is only promised for a little less. Asking again always gives a working one.
 */
const BBB_JOIN_MS = 4 * 60_000;
/** The host's BigBlueButton userID: not a participant id, so the attendance report leaves them out. */
export const ORGANIZER_USER_ID = 'organizer';

export function createHostLinkService(deps: {
  events: Pick<EventStore, 'get'>;
  rooms: Pick<RoomStateStore, 'get'>;
  clock: Clock;
  bbb: { client: BbbClient; rooms: BbbRooms } | undefined;
  zoom: ZoomClient | undefined;
}): HostLinkService {
  const until = (ms: number) => new Date(deps.clock.now().getTime() + ms).toISOString();
  return {
    async hostLink(eventId, roomId) {
      const stored = await deps.events.get(eventId);
      if (!stored) return { kind: 'unknown', what: 'event' };
      const schedule = scheduleProgramme(stored.programme);
      const room = schedule.rooms.find((r) => r.id === roomId);
      if (!room) return { kind: 'unknown', what: 'room' };
      if (room.provider === 'zoom') {
        if (!deps.zoom) return { kind: 'not-configured', provider: 'zoom' };
        const webinarId = (await deps.rooms.get(eventId, roomId))?.webinarId;
        if (!webinarId) return { kind: 'not-provisioned' };
        try {
          // Fetched each time and never stored: a start_url logs whoever holds it in as the host.
          const webinar = await deps.zoom.getWebinar(webinarId);
          return webinar.start_url ? { kind: 'link', url: webinar.start_url, expiresAt: until(ZOOM_START_URL_MS) } : { kind: 'unavailable', provider: 'zoom', cause: 'Zoom sent no start_url' };
        } catch (error) {
          if (isZoomApiError(error) && error.status === 404) return { kind: 'not-provisioned' };
          return { kind: 'unavailable', provider: 'zoom', cause: (error as Error).message };
        }
      }
      if (!deps.bbb) return { kind: 'not-configured', provider: 'bbb' };
      try {
        const meeting = await deps.bbb.rooms.ensureRunning(stored.programme, room, schedule.sessions);
        const url = deps.bbb.client.joinUrl({ meetingID: meeting.meetingID, fullName: 'Organizer', userID: ORGANIZER_USER_ID, role: 'MODERATOR', createTime: meeting.createTime });
        return { kind: 'link', url, expiresAt: until(BBB_JOIN_MS) };
      } catch (error) {
        return { kind: 'unavailable', provider: 'bbb', cause: (error as Error).message };
      }
    },
  };
}
