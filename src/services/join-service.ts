import type { Clock } from '../clock.js';
import { joinWindow } from '../domain/join-window.js';
import type { Participant } from '../domain/participant.js';
import type { RoomPlan } from '../domain/schedule.js';
import { pickLanguage, type Language } from '../i18n/languages.js';
import type { BbbClient } from '../providers/bbb/bbb-client.js';
import type { BbbRooms, RunningMeeting } from './bbb-rooms.js';
import type { Access, AccessRefusal, LoadedEvent, ParticipantAccess } from './participant-access.js';

/**
 * Why a join does not lead into a meeting, for the HTTP layer to word (in the participant's language) and
 * code. `reason` doubles as the outcome label of the join metric.
 */
export type JoinRefusal =
  | { reason: 'denied'; access: AccessRefusal }
  | { reason: 'not-found' }
  | { reason: 'too-early'; sessionTitle: string; opensAt: Date; timezone: string; opensMinutesBefore: number }
  | { reason: 'ended'; sessionTitle: string }
  /** The participant's personal Zoom link is still being created. */
  | { reason: 'pending' }
  /** The provider did not answer (or is not configured); `cause` is for the log only, never a URL or secret. */
  | { reason: 'unavailable'; provider: 'bbb' | 'zoom'; cause?: string };

export type JoinOutcome =
  | { kind: 'redirect'; url: string; provider: 'bbb' | 'zoom' }
  | ({
      kind: 'refused';
      /** Known once the link is: the language to explain in, and the token of the page to send them back to. */
      audience?: { language: Language; token: string };
    } & JoinRefusal);

/** How a conference join finds the participant's personal Zoom link (issue: Zoom provider). */
export interface ZoomJoins {
  joinUrlFor(event: LoadedEvent, room: RoomPlan, participant: Participant): Promise<{ url: string } | { pending: true }>;
}

export interface JoinServiceDeps {
  access: ParticipantAccess;
  clock: Clock;
  bbb: { client: BbbClient; rooms: BbbRooms } | undefined;
  zoom: ZoomJoins | undefined;
}

export type MaybePromise<T> = T | Promise<T>;

export interface JoinService {
  /** Settles synchronously when everything it needs is already known here (see `join` below). */
  join(token: string, sessionId: string): MaybePromise<JoinOutcome>;
}

type Audience = { language: Language; token: string };

// Built only for a refusal: a redirect, the common answer, needs no language.
const audienceOf = (participant: Participant, eventLanguage: string | undefined, token: string): Audience => ({
  language: pickLanguage(participant.language, eventLanguage),
  token,
});

export function createJoinService(deps: JoinServiceDeps): JoinService {
  // The answer to a participant's last BBB join (its signed join URL). Keyed by the record object, which the
  // participant cache keeps stable until the participant changes, so a changed name or role never reuses an
  // old URL. The outcome object itself is kept and handed out again: nothing downstream changes it.
  type BbbRedirect = Extract<JoinOutcome, { kind: 'redirect' }>;
  const bbbRedirects = new WeakMap<Participant, { meetingID: string; createTime: number; outcome: BbbRedirect }>();

  function bbbRedirect(client: BbbClient, participant: Participant, meeting: RunningMeeting): BbbRedirect {
    const memo = bbbRedirects.get(participant);
    if (memo && memo.meetingID === meeting.meetingID && memo.createTime === meeting.createTime) return memo.outcome;
    const url = client.joinUrl({
      meetingID: meeting.meetingID,
      fullName: participant.name,
      userID: participant.id,
      role: participant.role === 'moderator' ? 'MODERATOR' : 'VIEWER',
      createTime: meeting.createTime,
    });
    const outcome: BbbRedirect = { kind: 'redirect', url, provider: 'bbb' };
    bbbRedirects.set(participant, { meetingID: meeting.meetingID, createTime: meeting.createTime, outcome });
    return outcome;
  }

  const unavailable = (provider: 'bbb' | 'zoom', audience: Audience, error?: unknown): JoinOutcome => ({
    kind: 'refused',
    reason: 'unavailable',
    provider,
    audience,
    ...(error instanceof Error ? { cause: error.message } : {}),
  });

  async function zoomJoin(zoom: ZoomJoins, event: LoadedEvent, room: RoomPlan, participant: Participant, audience: Audience): Promise<JoinOutcome> {
    try {
      const found = await zoom.joinUrlFor(event, room, participant);
      if ('url' in found) return { kind: 'redirect', url: found.url, provider: 'zoom' };
      return { kind: 'refused', reason: 'pending', audience };
    } catch (error) {
      return unavailable('zoom', audience, error);
    }
  }

  /** Everything after the participant is known; answers at once when the room is known to run. */
  function joinAs(access: Access, token: string, sessionId: string): MaybePromise<JoinOutcome> {
    if (!access.ok) return { kind: 'refused', reason: 'denied', access: access.reason };
    const { event, participant } = access;
    const { programme } = event.stored;
    const session = event.sessionById.get(sessionId);
    const room = session && event.roomById.get(session.roomId);
    if (!session || !room) return { kind: 'refused', reason: 'not-found', audience: audienceOf(participant, programme.language, token) };
    const window = joinWindow(session.startsAtMs, session.endsAtMs, programme.joinOpensMinutesBefore, deps.clock.now().getTime());
    if (window.state === 'before') {
      return {
        kind: 'refused',
        reason: 'too-early',
        sessionTitle: session.title,
        opensAt: window.opensAt,
        timezone: programme.timezone,
        opensMinutesBefore: programme.joinOpensMinutesBefore,
        audience: audienceOf(participant, programme.language, token),
      };
    }
    if (window.state === 'ended') return { kind: 'refused', reason: 'ended', sessionTitle: session.title, audience: audienceOf(participant, programme.language, token) };

    if (room.provider === 'bbb') {
      const bbb = deps.bbb;
      if (!bbb) return unavailable('bbb', audienceOf(participant, programme.language, token));
      const running = bbb.rooms.runningNow(programme.id, room.id);
      if (running) return bbbRedirect(bbb.client, participant, running);
      return bbb.rooms.ensureRunning(programme, room, event.schedule.sessions).then(
        (meeting) => bbbRedirect(bbb.client, participant, meeting),
        (error: unknown) => unavailable('bbb', audienceOf(participant, programme.language, token), error),
      );
    }

    if (!deps.zoom) return unavailable('zoom', audienceOf(participant, programme.language, token));
    return zoomJoin(deps.zoom, event, room, participant, audienceOf(participant, programme.language, token));
  }

  return {
    // No promise when participant, programme and running room are all known in this process: that is
    // every join but the first few of a session, and a crowd arriving at once is the case that matters.
    join(token, sessionId) {
      const known = deps.access.resolveKnown(token);
      if (known) return joinAs(known, token, sessionId);
      return deps.access.resolve(token).then((access) => joinAs(access, token, sessionId));
    },
  };
}
