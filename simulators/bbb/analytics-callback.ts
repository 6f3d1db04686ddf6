import { SignJWT } from 'jose';
import type { Meeting, PresenceEvent } from './meeting-registry.js';

// The learning-analytics callback as BigBlueButton sends it after a meeting whose events were kept:
// record-and-playback/core/scripts/post_events/post_events_analytics_callback.rb builds the body from bbb-events
// (Recording#as_json, Attendee#as_json), drops attendee ids and `data.meeting_id`, snake_cases every key and POSTs
// it once with `Authorization: Bearer` HS512 `{exp: now + 24 h}` signed with the shared secret. No retry.

/** bbb-events' BBBEvents.format_datetime: '%Y-%m-%dT%H:%M:%S.%L%:z'; its timestamps are whole seconds. */
export function bbbDatetime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('Z', '+00:00');
}

function attendeeJson(userID: string, events: readonly PresenceEvent[], finish: number) {
  const joins = events.filter((e) => e.kind === 'join');
  const leaves = events.filter((e) => e.kind === 'leave');
  const byInternal = new Map<string, { joins: PresenceEvent[]; lefts: PresenceEvent[] }>();
  for (const e of events) {
    const entry = byInternal.get(e.internalUserID) ?? { joins: [], lefts: [] };
    (e.kind === 'join' ? entry.joins : entry.lefts).push(e);
    byInternal.set(e.internalUserID, entry);
  }
  const leaveTimes = leaves.map((e) => e.at);
  // Recording#initialize: `att.leaves << @finish if att.joins.length > att.leaves.length`.
  if (joins.length > leaves.length) leaveTimes.push(finish);
  let seconds = 0;
  for (const { joins: j, lefts: l } of byInternal.values()) j.forEach((join, i) => (seconds += Math.floor(((l[i]?.at ?? finish) - join.at) / 1000)));
  const mark = (e: PresenceEvent, event: 'join' | 'left') => ({ timestamp: bbbDatetime(e.at), userid: e.internalUserID, ext_userid: userID, event });
  return {
    ext_user_id: userID,
    name: events[events.length - 1]?.fullName ?? '',
    moderator: events.some((e) => e.role === 'MODERATOR'),
    joins: joins.map((e) => bbbDatetime(e.at)),
    leaves: leaveTimes.map(bbbDatetime),
    duration: seconds,
    recent_talking_time: '',
    engagement: { chats: 0, talks: 0, raisehand: 0, emojis: 0, poll_votes: 0, talk_time: 0 },
    sessions: [...byInternal.values()].map((s) => ({ joins: s.joins.map((e) => mark(e, 'join')), lefts: s.lefts.map((e) => mark(e, 'left')) })),
  };
}

export function analyticsPayload(meeting: Meeting): Record<string, unknown> {
  const finish = meeting.endedAt ?? Date.now();
  const byUser = new Map<string, PresenceEvent[]>();
  for (const e of meeting.presenceEvents) byUser.set(e.userID, [...(byUser.get(e.userID) ?? []), e]);
  const metadata = Object.fromEntries([...meeting.metadata].map(([k, v]) => [k.replace(/-/g, '_'), v]));
  return {
    version: '1.0',
    meeting_id: meeting.meetingID,
    internal_meeting_id: meeting.internalMeetingID,
    data: {
      metadata: { ...metadata, meeting_name: meeting.name },
      duration: Math.floor((finish - meeting.createTime) / 1000),
      start: bbbDatetime(meeting.createTime),
      finish: bbbDatetime(finish),
      attendees: [...byUser].map(([userID, events]) => attendeeJson(userID, events, finish)),
      files: [],
      polls: [],
    },
  };
}

export async function analyticsToken(secret: string, nowMs: number): Promise<string> {
  return new SignJWT({ exp: Math.floor(nowMs / 1000) + 24 * 3600 }).setProtectedHeader({ alg: 'HS512', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

export async function sendAnalyticsCallback(url: string, meeting: Meeting, secret: string, nowMs: number): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await analyticsToken(secret, nowMs)}`, 'user-agent': 'BigBlueButton Analytics Callback' },
    body: JSON.stringify(analyticsPayload(meeting)),
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}

export interface AnalyticsDelivery {
  meetingID: string;
  internalMeetingID: string;
  status?: number;
  error?: string;
  dropped?: boolean;
}

export interface AnalyticsSender {
  readonly deliveries: AnalyticsDelivery[];
  /** When true, callbacks are lost (the post_events script failed, or the request never arrived). */
  drop: boolean;
  onEnded(meeting: Meeting): void;
  /** Resolves when every callback started so far has been answered. */
  settled(): Promise<void>;
}

/** Sends each ended meeting's callback `delayMs` later (the recording pipeline's archive step), if it asked for one. */
export function createAnalyticsSender(secret: string, delayMs: number, now: () => number): AnalyticsSender {
  const deliveries: AnalyticsDelivery[] = [];
  const pending = new Set<Promise<void>>();
  const sender: AnalyticsSender = {
    deliveries,
    drop: false,
    onEnded(meeting) {
      const url = meeting.metadata.get('analytics-callback-url');
      if (!meeting.keepEvents || !url) return;
      const delivery: AnalyticsDelivery = { meetingID: meeting.meetingID, internalMeetingID: meeting.internalMeetingID };
      deliveries.push(delivery);
      if (sender.drop) {
        delivery.dropped = true;
        return;
      }
      const run = new Promise<void>((resolve) => setTimeout(resolve, delayMs).unref())
        .then(() => sendAnalyticsCallback(url, meeting, secret, now()))
        .then(
          (status) => void (delivery.status = status),
          (error: unknown) => void (delivery.error = String(error)),
        )
        .finally(() => pending.delete(run));
      pending.add(run);
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
  return sender;
}
