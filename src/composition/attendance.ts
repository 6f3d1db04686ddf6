import type { AttendanceHttpDeps } from '../http/attendance-http-deps.js';
import type { Translations } from '../i18n/i18n.js';
import { zoomClientFor } from './zoom-client.js';
import { createBbbAnalyticsService } from '../services/bbb-analytics-service.js';
import { createHostLinkService } from '../services/host-link-service.js';
import { createAttendanceService, type AttendanceService } from '../services/attendance-service.js';
import { createCertificateService, type CertificateService } from '../services/certificate-service.js';
import type { ParticipantStore } from '../store/participant-store.js';
import type { Core } from './core.js';

export interface AttendanceParts {
  attendance: AttendanceService;
  certificates: CertificateService;
}

/**
 * The report and the certificates, for the API (report, PDFs, verification) and the worker (issuing). Each
 * role passes its own participant store: the API's keeps its cache in step.
 */
export function createAttendanceParts(core: Core, participants: ParticipantStore, translations: Translations): AttendanceParts {
  const { stores, clock, config } = core;
  const attendance = createAttendanceService({
    events: stores.events,
    participants,
    presence: stores.presence,
    webhooks: stores.attendance,
    zoom: stores.zoom,
    certificates: stores.certificates,
    anonymous: stores.anonymousAttendance,
    clock,
    publicBaseUrl: config.http.publicBaseUrl,
  });
  const certificates = createCertificateService({
    events: stores.events,
    participants,
    certificates: stores.certificates,
    attendance,
    translations,
    clock,
    publicBaseUrl: config.http.publicBaseUrl,
    onIssued: (eventId, ids) => core.messages.certificatesIssued(eventId, ids),
  });
  return { attendance, certificates };
}

/**
 * The API's side: the routes' services, and a Zoom client of its own for host links (Zoom's start_url is read at
 * the moment it is asked for). `close` stops that client's response observer.
 */
export function createAttendanceApi(core: Core, participants: ParticipantStore, translations: Translations): { http: AttendanceHttpDeps; close(): void } {
  const { config, stores, clock } = core;
  const parts = createAttendanceParts(core, participants, translations);
  const zoom = zoomClientFor(core);
  const http: AttendanceHttpDeps = {
    ...parts,
    hostLinks: createHostLinkService({ events: stores.events, rooms: stores.rooms, clock, bbb: core.bbb, zoom }),
    requestCertificates: (eventId) => core.attendanceSchedule.requestCertificates(eventId),
    bbbAnalytics:
      core.bbb && config.bbb
        ? {
            service: createBbbAnalyticsService({ events: stores.events, presence: stores.presence, meetingIdFor: core.bbb.rooms.meetingIdFor, clock }),
            secret: config.bbb.secret,
          }
        : undefined,
  };
  return { http, close: () => zoom?.close() };
}
