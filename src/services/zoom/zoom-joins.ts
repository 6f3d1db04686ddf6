import type { Participant } from '../../domain/participant.js';
import type { RoomPlan } from '../../domain/schedule.js';
import type { ZoomStore } from '../../store/zoom-store.js';
import type { ZoomJoins } from '../join-service.js';
import type { LoadedEvent } from '../participant-access.js';

/**
 * Everyone gets their own Zoom link: attendees their registrant join_url, panelists their panelist link. The
 * last link handed to a participant is remembered (per participant record, so a changed record starts
 * afresh) and handed out again when Redis cannot be asked, e.g. during a failover.
 */
export function createZoomJoins(store: Pick<ZoomStore, 'registration' | 'panelistJoinUrl'>): ZoomJoins {
  const handedOut = new WeakMap<Participant, Map<string, string>>();

  async function lookup(eventId: string, roomId: string, participant: Participant): Promise<string | undefined> {
    if (participant.role === 'panelist') return store.panelistJoinUrl(eventId, roomId, participant.email);
    return (await store.registration(eventId, roomId, participant.id))?.joinUrl;
  }

  return {
    async joinUrlFor(event: LoadedEvent, room: RoomPlan, participant: Participant) {
      const eventId = event.stored.programme.id;
      let url: string | undefined;
      try {
        url = await lookup(eventId, room.id, participant);
      } catch (error) {
        const last = handedOut.get(participant)?.get(room.id);
        if (last === undefined) throw error;
        return { url: last };
      }
      if (url === undefined) return { pending: true };
      const rooms = handedOut.get(participant) ?? new Map<string, string>();
      rooms.set(room.id, url);
      handedOut.set(participant, rooms);
      return { url };
    },
  };
}
