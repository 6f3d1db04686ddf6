import type { Clock } from '../clock.js';
import { scheduleProgramme } from '../domain/schedule.js';
import { jobId } from '../queue/job-registry.js';
import type { Queues } from '../queue/queues.js';
import type { StoredEvent } from '../store/event-store.js';
import type { WebinarLink } from '../store/attendance-store.js';

/**
 * When attendance work runs: BigBlueButton polls while a room is in use, Zoom's past participants once a webinar
 * is over, certificates after the last session. Every job id follows from its cause, so re-planning the same
 * programme (or a worker re-planning on start) adds nothing; a job planned for times the programme no longer has
 * finds that out when it runs and does nothing.
 */
export interface AttendanceSchedule {
  programmeChanged(event: StoredEvent): Promise<void>;
  /** `webinar.ended` arrived: Zoom's list is read a few minutes later, once Zoom has finished it. */
  webinarEnded(link: WebinarLink, at: Date): Promise<void>;
  /** The room is ready: the first poll one interval from now. */
  startPolling(eventId: string, roomId: string): Promise<void>;
  /** The next poll after `slot`, from a poll job. */
  pollAfter(eventId: string, roomId: string, slot: number): Promise<void>;
  requestCertificates(eventId: string): Promise<void>;
  readonly pollIntervalMs: number;
}

/** Zoom's attendance data "takes some time to be generated" after large webinars (listWebinarParticipants docs). */
export const ZOOM_AFTER_ENDED_MS = 5 * 60_000;
/** A webinar whose `webinar.ended` never arrived is read this long after its scheduled end. */
export const ZOOM_AFTER_SCHEDULED_END_MS = 30 * 60_000;
/**
 * Certificates wait for late presence: BigBlueButton's analytics callback runs after the recording pipeline's
 * archive step, Zoom's list after the reconciliation above.
 */
export const CERTIFICATES_AFTER_LAST_END_MS = 45 * 60_000;

export function lastSessionEnd(event: StoredEvent): number {
  return Math.max(...scheduleProgramme(event.programme).sessions.map((s) => Date.parse(s.endsAt)));
}

export function createAttendanceSchedule(deps: { queues: Queues; clock: Clock; pollSeconds: number }): AttendanceSchedule {
  const { queues, clock } = deps;
  const pollIntervalMs = deps.pollSeconds * 1000;
  const now = () => clock.now().getTime();

  async function poll(eventId: string, roomId: string, slot: number): Promise<void> {
    await queues.enqueue(
      'attendance.poll-bbb',
      { eventId, roomId, slot },
      { jobId: jobId('attendance.poll-bbb', eventId, roomId, slot), delay: Math.max(0, slot * pollIntervalMs - now()) },
    );
  }

  return {
    pollIntervalMs,
    async programmeChanged(event) {
      const { programme } = event;
      const schedule = scheduleProgramme(programme);
      const jobs = schedule.rooms
        .filter((r) => r.provider === 'zoom')
        .map((r) => {
          const due = Date.parse(r.endsAt);
          return {
            name: 'attendance.zoom-reconcile' as const,
            payload: { eventId: programme.id, roomId: r.id, reason: 'scheduled' as const, due },
            options: { jobId: jobId('attendance.zoom-reconcile', programme.id, r.id, 'scheduled', due), delay: Math.max(0, due + ZOOM_AFTER_SCHEDULED_END_MS - now()) },
          };
        });
      if (jobs.length > 0) await queues.enqueueMany(jobs);
      if (programme.certificate) {
        const due = lastSessionEnd(event);
        await queues.enqueue(
          'certificates.issue',
          { eventId: programme.id, reason: 'scheduled', due },
          { jobId: jobId('certificates.issue', programme.id, 'scheduled', due), delay: Math.max(0, due + CERTIFICATES_AFTER_LAST_END_MS - now()) },
        );
      }
    },
    async webinarEnded(link, at) {
      const due = at.getTime();
      await queues.enqueue(
        'attendance.zoom-reconcile',
        { eventId: link.eventId, roomId: link.roomId, reason: 'ended', due },
        { jobId: jobId('attendance.zoom-reconcile', link.eventId, link.roomId, 'ended', due), delay: Math.max(0, due + ZOOM_AFTER_ENDED_MS - now()) },
      );
    },
    startPolling: (eventId, roomId) => poll(eventId, roomId, Math.floor(now() / pollIntervalMs) + 1),
    pollAfter: (eventId, roomId, slot) => poll(eventId, roomId, Math.max(slot + 1, Math.floor(now() / pollIntervalMs) + 1)),
    async requestCertificates(eventId) {
      const due = now();
      await queues.enqueue('certificates.issue', { eventId, reason: 'requested', due }, { jobId: jobId('certificates.issue', eventId, 'requested', due) });
    },
  };
}
