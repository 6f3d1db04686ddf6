import type { AttendanceService } from '../services/attendance-service.js';
import type { BbbAnalyticsService } from '../services/bbb-analytics-service.js';
import type { CertificateService } from '../services/certificate-service.js';
import type { HostLinkService } from '../services/host-link-service.js';

/** What the attendance, certificate, host-link and analytics-callback routes use. */
export interface AttendanceHttpDeps {
  attendance: AttendanceService;
  certificates: CertificateService;
  hostLinks: HostLinkService;
  /** Queues an issue of certificates now (POST …/certificates). */
  requestCertificates(eventId: string): Promise<void>;
  /** Undefined without BBB_URL: the callback route then answers 404. */
  bbbAnalytics: { service: BbbAnalyticsService; secret: string } | undefined;
}
