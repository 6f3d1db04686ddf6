import type { Clock } from '../../clock.js';
import type { JobPayload } from '../../queue/job-registry.js';
import { CERTIFICATES_AFTER_LAST_END_MS, lastSessionEnd } from '../../services/attendance-schedule.js';
import type { CertificateService } from '../../services/certificate-service.js';
import type { EventStore } from '../../store/event-store.js';

/** After the last session (a programme moved since is re-planned under its own id) or when organizers ask. */
export function certificatesIssue(deps: { events: Pick<EventStore, 'get'>; certificates: Pick<CertificateService, 'issue'>; clock: Clock }) {
  return async (payload: JobPayload<'certificates.issue'>): Promise<unknown> => {
    const stored = await deps.events.get(payload.eventId);
    if (!stored) return { skipped: 'no such event' };
    if (payload.reason === 'scheduled') {
      const due = lastSessionEnd(stored);
      // A minute's tolerance: the delay was measured on the producer's clock, this is the worker's.
      if (due !== payload.due || deps.clock.now().getTime() < due + CERTIFICATES_AFTER_LAST_END_MS - 60_000) return { skipped: 'superseded by a newer schedule' };
    }
    return deps.certificates.issue(payload.eventId);
  };
}
