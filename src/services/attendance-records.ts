import { z } from 'zod';
import { addPerson, emptyTally, type AttendanceTally } from '../domain/attendance-counts.js';
import { personMinutes } from '../domain/attendance-report.js';
import { scheduleProgramme } from '../domain/schedule.js';
import type { AnonymousAttendanceStore } from '../store/anonymous-attendance-store.js';
import type { AttendanceStore } from '../store/attendance-store.js';
import type { CertificateStore } from '../store/certificate-store.js';
import type { StoredEvent } from '../store/event-store.js';
import type { PresenceStore } from '../store/presence-store.js';
import type { ZoomStore } from '../store/zoom-store.js';
import { verifyUrl, type AttendanceService } from './attendance-service.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** One person's attendance as stored: each source's record, what Zoom said about them, their certificate. */
export const attendanceExportSchema = z.object({
  /** As the organizer's report counts them, from all of the records below. */
  minutes: z.number().int(),
  days: z.array(z.object({ date: z.string(), minutes: z.number().int() })),
  sessions: z.array(z.object({ id: z.string(), minutes: z.number().int() })),
  presence: z.array(
    z.object({
      roomId: z.string(),
      source: z.enum(['bbb-polls', 'bbb-callback', 'zoom-past-participants']),
      meetingId: z.string().optional(),
      intervals: z.array(z.object({ start: z.string(), end: z.string() })),
    }),
  ),
  /** Zoom's webinar notifications: joins and leaves, and the name and email Zoom reported with them. */
  zoomWebinar: z.array(
    z.object({
      roomId: z.string(),
      registrantId: z.string(),
      name: z.string().optional(),
      email: z.string().optional(),
      stays: z.array(z.object({ joinedAt: z.string().optional(), leftAt: z.string().optional() })),
    }),
  ),
  certificate: z.object({ code: z.string(), minutes: z.number().int(), issuedAt: z.string(), updatedAt: z.string(), url: z.string() }).optional(),
});
export type AttendanceExport = z.infer<typeof attendanceExportSchema>;

export interface ZoomRegistrantRef {
  roomId: string;
  registrantId: string;
}

/** A data subject's attendance: export, and erasure that leaves only anonymous counts. */
export interface AttendanceRecords {
  /** undefined when nothing about their attendance is stored. */
  exportOf(event: StoredEvent, participantId: string): Promise<AttendanceExport | undefined>;
  /** Their Zoom registrant ids, of live registrations and of those cancelled since: Zoom's records name people by these. */
  registrantsOf(event: StoredEvent, participantId: string): Promise<ZoomRegistrantRef[]>;
  /** What they add to the report's totals now. */
  shareOf(event: StoredEvent, participantId: string): Promise<AttendanceTally>;
  /**
   * Adds `share` (when given) to the event's anonymous counts, then removes them from every presence record, the
   * Zoom records of `registrants`, and their certificate, whose code then stops verifying. True when anything went.
   */
  erase(event: StoredEvent, participantId: string, what: { registrants: readonly ZoomRegistrantRef[]; share: AttendanceTally | undefined }): Promise<boolean>;
}

export interface AttendanceRecordsDeps {
  attendance: Pick<AttendanceService, 'presence'>;
  presence: Pick<PresenceStore, 'recordsOf' | 'forget'>;
  webhooks: Pick<AttendanceStore, 'registrantAttendance' | 'forgetRegistrants'>;
  zoom: Pick<ZoomStore, 'registration' | 'retiredRegistrants'>;
  certificates: Pick<CertificateStore, 'get' | 'revoke'>;
  anonymous: Pick<AnonymousAttendanceStore, 'add'>;
  publicBaseUrl: string;
}

export function createAttendanceRecords(deps: AttendanceRecordsDeps): AttendanceRecords {
  async function minutesOf(event: StoredEvent, participantId: string) {
    const byRoom = (await deps.attendance.presence(event)).get(participantId) ?? new Map();
    return personMinutes(scheduleProgramme(event.programme).sessions, byRoom);
  }

  async function registrantsOf(event: StoredEvent, participantId: string): Promise<ZoomRegistrantRef[]> {
    const rooms = scheduleProgramme(event.programme).rooms.filter((r) => r.provider === 'zoom');
    const found = await Promise.all(
      rooms.map(async (room) => {
        const [live, retired] = await Promise.all([deps.zoom.registration(event.programme.id, room.id, participantId), deps.zoom.retiredRegistrants(event.programme.id, room.id, participantId)]);
        return { roomId: room.id, ids: new Set([...(live ? [live.registrantId] : []), ...retired]) };
      }),
    );
    return found.flatMap((f) => [...f.ids].map((registrantId) => ({ roomId: f.roomId, registrantId })));
  }

  return {
    registrantsOf,
    async exportOf(event, participantId) {
      const eventId = event.programme.id;
      const [records, registrants, certificate] = await Promise.all([
        deps.presence.recordsOf(eventId, participantId),
        registrantsOf(event, participantId),
        deps.certificates.get(eventId, participantId),
      ]);
      const zoomWebinar = (
        await Promise.all(registrants.map(async (r) => ({ roomId: r.roomId, found: await deps.webhooks.registrantAttendance(eventId, r.roomId, r.registrantId) })))
      ).flatMap(({ roomId, found }) =>
        found ? [{ roomId, registrantId: found.registrantId, ...(found.name ? { name: found.name } : {}), ...(found.email ? { email: found.email } : {}), stays: found.sessions }] : [],
      );
      if (records.length === 0 && zoomWebinar.length === 0 && !certificate) return undefined;
      return {
        ...(await minutesOf(event, participantId)),
        presence: records.map((r) => ({ ...r, intervals: r.intervals.map((i) => ({ start: iso(i.start), end: iso(i.end) })) })),
        zoomWebinar,
        ...(certificate
          ? { certificate: { code: certificate.code, minutes: certificate.minutes, issuedAt: certificate.issuedAt, updatedAt: certificate.updatedAt, url: verifyUrl(deps.publicBaseUrl, certificate.code) } }
          : {}),
      };
    },
    async shareOf(event, participantId) {
      return addPerson(emptyTally(), await minutesOf(event, participantId));
    },
    async erase(event, participantId, { registrants, share }) {
      const eventId = event.programme.id;
      // Counts first: a failure after this leaves records of someone no longer reported, which erasing again removes,
      // rather than a person missing from the counts.
      if (share) await deps.anonymous.add(eventId, share);
      const byRoom = new Map<string, string[]>();
      for (const r of registrants) byRoom.set(r.roomId, [...(byRoom.get(r.roomId) ?? []), r.registrantId]);
      const [presence, zoom, certificate] = await Promise.all([
        deps.presence.forget(eventId, participantId),
        Promise.all([...byRoom].map(([roomId, ids]) => deps.webhooks.forgetRegistrants(eventId, roomId, ids))),
        deps.certificates.revoke(eventId, participantId),
      ]);
      return presence || zoom.some(Boolean) || certificate;
    },
  };
}
