import { z } from 'zod';
import { messageKindSchema, messageStatusSchema } from '../domain/messages.js';
import { participantSchema } from '../domain/participant.js';
import { confirmedRegistrantSchema, participantStatusSchema } from '../domain/registration.js';
import { scheduleProgramme } from '../domain/schedule.js';
import type { EventStore } from '../store/event-store.js';
import type { MessageStore } from '../store/message-store.js';
import type { ParticipantStore } from '../store/participant-store.js';
import type { RegistrationStore } from '../store/registration-store.js';
import type { ZoomStore } from '../store/zoom-store.js';
import { attendanceExportSchema, type AttendanceRecords } from './attendance-records.js';
import type { ParticipantService } from './participant-service.js';

/** Everything this service keeps about one person, as handed to the organizer for a data subject's request. */
export const participantExportSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  status: participantStatusSchema,
  participant: participantSchema.optional(),
  /** Self-registration: what they typed into the form and the consent they gave (wording, version, time). */
  registration: confirmedRegistrantSchema.optional(),
  messages: z.array(
    z.object({ id: z.string(), kind: messageKindSchema, status: messageStatusSchema, createdAt: z.string(), sentAt: z.string().optional() }),
  ),
  /** Zoom registrant ids per webinar room (never the join URL, which is a credential). */
  zoom: z.array(z.object({ roomId: z.string(), registrantId: z.string() })),
  /** Presence from every source, Zoom's notifications about them and their certificate; absent when none is stored. */
  attendance: attendanceExportSchema.optional(),
});
export type ParticipantExport = z.infer<typeof participantExportSchema>;

export interface ParticipantData {
  /** undefined: no such participant or waitlisted person in this event. */
  export(eventId: string, participantId: string): Promise<ParticipantExport | undefined>;
  /**
   * Revokes (or takes off the waitlist) and removes name and address from what this service keeps: the
   * participant record is a tombstone already, the registration form data and consent go, and so does every
   * attendance record naming them (their certificate with it); what they attended stays only in the report's
   * anonymous counts. Messages hold only ids. false when nothing was known.
   */
  erase(eventId: string, participantId: string): Promise<boolean>;
}

export interface ParticipantDataDeps {
  events: Pick<EventStore, 'get'>;
  participants: Pick<ParticipantStore, 'lookup'>;
  registrations: Pick<RegistrationStore, 'waiting' | 'profile' | 'forget'>;
  messages: Pick<MessageStore, 'list'>;
  zoom: Pick<ZoomStore, 'registration' | 'forgetParticipant'>;
  attendance: AttendanceRecords;
  revoke: ParticipantService['revoke'];
}

export function createParticipantData(deps: ParticipantDataDeps): ParticipantData {
  return {
    async export(eventId, participantId) {
      const stored = await deps.events.get(eventId);
      if (!stored) return undefined;
      const [found, waiting, profile] = await Promise.all([
        deps.participants.lookup(eventId, participantId),
        deps.registrations.waiting(eventId, participantId),
        deps.registrations.profile(eventId, participantId),
      ]);
      const participant = found === 'revoked' ? undefined : found;
      if (!participant && !waiting) return undefined;
      const zoomRooms = scheduleProgramme(stored.programme).rooms.filter((r) => r.provider === 'zoom');
      const [messages, zoom, attendance] = await Promise.all([
        deps.messages.list(eventId, { participantId }),
        Promise.all(zoomRooms.map(async (room) => ({ roomId: room.id, registration: await deps.zoom.registration(eventId, room.id, participantId) }))),
        deps.attendance.exportOf(stored, participantId),
      ]);
      return {
        id: participantId,
        eventId,
        status: participant ? 'registered' : 'waitlisted',
        ...(participant ? { participant } : {}),
        ...(profile ? { registration: profile } : {}),
        messages: messages.map((m) => ({ id: m.id, kind: m.details.kind, status: m.status, createdAt: m.createdAt, ...(m.sentAt ? { sentAt: m.sentAt } : {}) })),
        zoom: zoom.flatMap((z) => (z.registration ? [{ roomId: z.roomId, registrantId: z.registration.registrantId }] : [])),
        ...(attendance ? { attendance } : {}),
      };
    },
    async erase(eventId, participantId) {
      const stored = await deps.events.get(eventId);
      // Read before revoking: revocation cancels the Zoom registrations that tie Zoom's records to this person.
      const [before, registrants] = stored ? await Promise.all([deps.participants.lookup(eventId, participantId), deps.attendance.registrantsOf(stored, participantId)]) : [undefined, []];
      // A live participant is in the report's totals; someone removed earlier already left them.
      const share = stored && before && before !== 'revoked' ? await deps.attendance.shareOf(stored, participantId) : undefined;
      const removed = await deps.revoke(eventId, participantId);
      const forgotten = await deps.registrations.forget(eventId, participantId);
      // Only the request that removed them moves their share into the counts, so two erasures at once add it once.
      const scrubbed = stored ? await deps.attendance.erase(stored, participantId, { registrants, share: removed ? share : undefined }) : false;
      // Last, as the registrant ids are what lets erasing again find Zoom's records should anything above fail.
      // A cancel still to come then goes to Zoom by registrant id alone.
      const zoomRooms = stored ? scheduleProgramme(stored.programme).rooms.filter((r) => r.provider === 'zoom') : [];
      const unlinked = await Promise.all(zoomRooms.map((room) => deps.zoom.forgetParticipant(eventId, room.id, participantId)));
      return removed || forgotten || scrubbed || unlinked.some(Boolean);
    },
  };
}
