import { UnrecoverableError, type Job } from 'bullmq';
import type { Clock } from '../../clock.js';
import type { Interval } from '../../domain/attendance.js';
import { normaliseEmail, type Participant } from '../../domain/participant.js';
import { scheduleProgramme } from '../../domain/schedule.js';
import type { ZoomClient } from '../../providers/zoom/zoom-client.js';
import { isAccountRateLimit, isZoomApiError } from '../../providers/zoom/zoom-errors.js';
import type { JobPayload } from '../../queue/job-registry.js';
import { ProviderRateLimited } from '../../queue/rate-limited.js';
import type { EventStore } from '../../store/event-store.js';
import type { PresenceStore } from '../../store/presence-store.js';
import type { RoomStateStore } from '../../store/room-state-store.js';
import type { ZoomStore } from '../../store/zoom-store.js';
import { isFinalAttempt } from './attempts.js';

export interface ZoomReconcileDeps {
  events: Pick<EventStore, 'get'>;
  rooms: Pick<RoomStateStore, 'get'>;
  zoom: Pick<ZoomClient, 'listPastParticipants'>;
  zoomStore: Pick<ZoomStore, 'allRegistrations'>;
  participants: { list(eventId: string): Promise<Participant[]> };
  presence: Pick<PresenceStore, 'saveZoomPast'>;
  clock: Clock;
}

/**
 * Fills in what the webhooks missed from Zoom's own list of who attended (GET /past_webinars/{id}/participants),
 * matched by registrant_id and, for people without one (panelists, or a row Zoom sent without it), by email. The
 * list is Zoom's whole record each time, so a repeated run writes the same.
 */
export function attendanceZoomReconcile(deps: ZoomReconcileDeps) {
  return async (payload: JobPayload<'attendance.zoom-reconcile'>, job: Job): Promise<unknown> => {
    const { eventId, roomId } = payload;
    const stored = await deps.events.get(eventId);
    const room = stored && scheduleProgramme(stored.programme).rooms.find((r) => r.id === roomId && r.provider === 'zoom');
    if (!room) return { skipped: 'room no longer in the programme' };
    if (payload.reason === 'scheduled' && Date.parse(room.endsAt) !== payload.due) return { skipped: 'superseded by a newer schedule' };
    const webinarId = (await deps.rooms.get(eventId, roomId))?.webinarId;
    if (!webinarId) return { skipped: 'no webinar was created' };

    let rows;
    try {
      rows = await deps.zoom.listPastParticipants(webinarId);
    } catch (error) {
      if (isAccountRateLimit(error)) throw new ProviderRateLimited(error.retryAfterMs ?? 1000, error.message);
      // 3001 until the webinar has ended (and for one that never took place): later attempts may find it.
      if (isZoomApiError(error) && error.status === 404) {
        if (isFinalAttempt(job)) return { skipped: 'Zoom has no past instance of this webinar' };
        throw new Error(`no past participants for webinar ${webinarId} yet`);
      }
      if (isZoomApiError(error) && error.permanent) throw new UnrecoverableError(error.message);
      throw error;
    }

    const [registrations, people] = await Promise.all([deps.zoomStore.allRegistrations(eventId, roomId), deps.participants.list(eventId)]);
    const byRegistrant = new Map([...registrations].map(([participantId, r]) => [r.registrantId, participantId]));
    const byEmail = new Map(people.map((p) => [normaliseEmail(p.email), p.id]));
    const presence = new Map<string, Interval[]>();
    let unmatched = 0;
    for (const row of rows) {
      const participantId = (row.registrant_id && byRegistrant.get(row.registrant_id)) || (row.user_email ? byEmail.get(normaliseEmail(row.user_email)) : undefined);
      const start = row.join_time ? Date.parse(row.join_time) : Number.NaN;
      const end = row.leave_time ? Date.parse(row.leave_time) : start + (row.duration ?? 0) * 1000;
      if (!participantId || !Number.isFinite(start) || !Number.isFinite(end)) {
        unmatched += 1;
        continue;
      }
      presence.set(participantId, [...(presence.get(participantId) ?? []), { start, end }]);
    }
    await deps.presence.saveZoomPast(eventId, roomId, presence);
    return { rows: rows.length, participants: presence.size, unmatched, at: deps.clock.now().toISOString() };
  };
}
