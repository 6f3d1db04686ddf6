import type { Participant } from '../../domain/participant.js';
import type { RoomPlan } from '../../domain/schedule.js';
import type { ZoomStore } from '../../store/zoom-store.js';
import type { ZoomJoins } from '../join-service.js';
import type { LoadedEvent } from '../participant-access.js';

/** Everyone gets their own Zoom link: attendees their registrant join_url, panelists their panelist link. */
export function createZoomJoins(store: Pick<ZoomStore, 'registration' | 'panelistJoinUrl'>): ZoomJoins {
  return {
    async joinUrlFor(event: LoadedEvent, room: RoomPlan, participant: Participant) {
      const eventId = event.stored.programme.id;
      if (participant.role === 'panelist') {
        const url = await store.panelistJoinUrl(eventId, room.id, participant.email);
        return url ? { url } : { pending: true };
      }
      const registration = await store.registration(eventId, room.id, participant.id);
      return registration ? { url: registration.joinUrl } : { pending: true };
    },
  };
}
