import type { Clock } from '../clock.js';
import { fromStays, type Interval } from '../domain/attendance.js';
import { buildAttendanceReport, type AttendanceReport, type ReportPerson } from '../domain/attendance-report.js';
import { scheduleProgramme, type RoomPlan } from '../domain/schedule.js';
import type { AnonymousAttendanceStore } from '../store/anonymous-attendance-store.js';
import type { AttendanceStore } from '../store/attendance-store.js';
import type { CertificateStore } from '../store/certificate-store.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import type { ParticipantStore } from '../store/participant-store.js';
import type { PresenceStore } from '../store/presence-store.js';
import type { ZoomStore } from '../store/zoom-store.js';

export type ReportOutcome = { kind: 'report'; report: AttendanceReport; event: StoredEvent } | { kind: 'unknown-event' };

export interface AttendanceService {
  report(eventId: string): Promise<ReportOutcome>;
  event(eventId: string): Promise<StoredEvent | undefined>;
  /** Presence by participant and room, from every source: what the report and certificates are computed from. */
  presence(event: StoredEvent): Promise<Map<string, Map<string, Interval[]>>>;
}

export interface AttendanceServiceDeps {
  events: Pick<EventStore, 'get'>;
  participants: Pick<ParticipantStore, 'list'>;
  presence: Pick<PresenceStore, 'bbbPresence' | 'zoomPast'>;
  webhooks: Pick<AttendanceStore, 'registrantsAttendance' | 'webinarTimes'>;
  zoom: Pick<ZoomStore, 'allRegistrations'>;
  certificates: Pick<CertificateStore, 'list'>;
  /** Erased people, as counts: the report's totals include them. */
  anonymous: Pick<AnonymousAttendanceStore, 'get'>;
  clock: Clock;
  publicBaseUrl: string;
}

export const verifyUrl = (publicBaseUrl: string, code: string) => `${publicBaseUrl}/verify/${code}`;

export function createAttendanceService(deps: AttendanceServiceDeps): AttendanceService {
  async function zoomRoomPresence(eventId: string, room: RoomPlan): Promise<Map<string, Interval[]>> {
    const [stays, times, registrations, past] = await Promise.all([
      deps.webhooks.registrantsAttendance(eventId, room.id),
      deps.webhooks.webinarTimes(eventId, room.id),
      deps.zoom.allRegistrations(eventId, room.id),
      deps.presence.zoomPast(eventId, room.id),
    ]);
    const byRegistrant = new Map([...registrations].map(([participantId, r]) => [r.registrantId, participantId]));
    let pastLatest: number | undefined;
    for (const intervals of past.values()) for (const i of intervals) pastLatest = Math.max(pastLatest ?? 0, i.end);
    // A stay whose leave never arrived ends with the webinar; when Zoom's own list is in, no later than its last leave.
    const bounds = {
      start: times.startedAt ? Date.parse(times.startedAt) : Date.parse(room.startsAt),
      end: times.endedAt ? Date.parse(times.endedAt) : (pastLatest ?? deps.clock.now().getTime()),
    };
    const out = new Map<string, Interval[]>();
    for (const registrant of stays) {
      const participantId = byRegistrant.get(registrant.registrantId);
      if (!participantId) continue;
      const intervals = fromStays(
        registrant.sessions.map((s) => ({
          ...(s.joinedAt ? { joinedAt: Date.parse(s.joinedAt) } : {}),
          ...(s.leftAt ? { leftAt: Date.parse(s.leftAt) } : {}),
        })),
        bounds,
      );
      out.set(participantId, intervals);
    }
    for (const [participantId, intervals] of past) out.set(participantId, [...(out.get(participantId) ?? []), ...intervals]);
    return out;
  }

  async function presence(event: StoredEvent): Promise<Map<string, Map<string, Interval[]>>> {
    const eventId = event.programme.id;
    const rooms = scheduleProgramme(event.programme).rooms;
    const perRoom = await Promise.all(
      rooms.map(async (room) => [room.id, room.provider === 'bbb' ? await deps.presence.bbbPresence(eventId, room.id) : await zoomRoomPresence(eventId, room)] as const),
    );
    const out = new Map<string, Map<string, Interval[]>>();
    for (const [roomId, byParticipant] of perRoom) {
      for (const [participantId, intervals] of byParticipant) {
        let rooms = out.get(participantId);
        if (!rooms) out.set(participantId, (rooms = new Map()));
        rooms.set(roomId, intervals);
      }
    }
    return out;
  }

  return {
    presence,
    event: (eventId) => deps.events.get(eventId),
    async report(eventId) {
      const event = await deps.events.get(eventId);
      if (!event) return { kind: 'unknown-event' };
      const [people, byParticipant, certificates, anonymous] = await Promise.all([
        deps.participants.list(eventId),
        presence(event),
        deps.certificates.list(eventId),
        deps.anonymous.get(eventId),
      ]);
      const report = buildAttendanceReport({
        sessions: scheduleProgramme(event.programme).sessions,
        people: people.map((p): ReportPerson => ({ id: p.id, name: p.name, email: p.email })),
        presence: byParticipant,
        minimumPercent: event.programme.certificate?.minimumPercent,
        certificateUrls: new Map([...certificates].map(([id, c]) => [id, verifyUrl(deps.publicBaseUrl, c.code)])),
        anonymous,
      });
      return { kind: 'report', report, event };
    },
  };
}
