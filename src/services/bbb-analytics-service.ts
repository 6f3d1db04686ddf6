import type { Clock } from '../clock.js';
import { analyticsPresence, bbbAnalyticsSchema, internalIdMatches } from '../domain/bbb-analytics.js';
import { scheduleProgramme } from '../domain/schedule.js';
import type { FieldIssue } from '../http/errors.js';
import type { EventStore } from '../store/event-store.js';
import type { PresenceStore } from '../store/presence-store.js';

export type AnalyticsOutcome =
  | { kind: 'recorded'; internalMeetingId: string; attendees: number }
  | { kind: 'duplicate'; internalMeetingId: string }
  | { kind: 'unknown-meeting' }
  | { kind: 'invalid'; issues: FieldIssue[] };

export interface BbbAnalyticsService {
  /** A verified callback for the room its URL names: the meeting's exact presence, once. */
  handle(eventId: string, roomId: string, body: unknown): Promise<AnalyticsOutcome>;
}

export function createBbbAnalyticsService(deps: {
  events: Pick<EventStore, 'get'>;
  presence: Pick<PresenceStore, 'saveExact'>;
  meetingIdFor(eventId: string, roomId: string): string;
  clock: Clock;
}): BbbAnalyticsService {
  return {
    async handle(eventId, roomId, body) {
      const parsed = bbbAnalyticsSchema.safeParse(body);
      if (!parsed.success) return { kind: 'invalid', issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || 'body', message: i.message })) };
      const payload = parsed.data;
      // The URL says which room; the body must be about that room's meeting, whose internal id derives from it.
      if (payload.meeting_id !== deps.meetingIdFor(eventId, roomId) || !internalIdMatches(payload.meeting_id, payload.internal_meeting_id)) {
        return { kind: 'unknown-meeting' };
      }
      const stored = await deps.events.get(eventId);
      const room = stored && scheduleProgramme(stored.programme).rooms.find((r) => r.id === roomId && r.provider === 'bbb');
      if (!room) return { kind: 'unknown-meeting' };
      const presence = analyticsPresence(payload);
      const saved = await deps.presence.saveExact(eventId, roomId, payload.internal_meeting_id, presence, deps.clock.now());
      return saved ? { kind: 'recorded', internalMeetingId: payload.internal_meeting_id, attendees: presence.size } : { kind: 'duplicate', internalMeetingId: payload.internal_meeting_id };
    },
  };
}
