import type { Clock } from '../clock.js';
import { joinWindow } from '../domain/join-window.js';
import type { Participant } from '../domain/participant.js';
import type { RoomPlan } from '../domain/schedule.js';
import type { BbbClient } from '../providers/bbb/bbb-client.js';
import type { BbbRooms, RunningMeeting } from './bbb-rooms.js';
import type { Access, LoadedEvent, ParticipantAccess } from './participant-access.js';

export type JoinOutcome =
  | { kind: 'redirect'; url: string; provider: 'bbb' | 'zoom' }
  | {
      kind: 'page';
      status: number;
      outcome: 'denied' | 'not-found' | 'too-early' | 'ended' | 'pending' | 'unavailable';
      title: string;
      message: string;
      opensAt?: { iso: string; timezone: string };
      retryAfterSeconds?: number;
      refreshSeconds?: number;
      pageToken?: string;
      /** For the log only: why a provider call failed (never a URL or secret). */
      cause?: string;
    };

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

const RETRY_SECONDS = 30;

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

  const unavailable = (provider: string, token: string, error?: unknown): JoinOutcome => ({
    kind: 'page',
    status: 503,
    outcome: 'unavailable',
    title: `${provider} is not reachable right now`,
    message: 'The meeting service did not answer. Please try again in a minute; this page refreshes by itself.',
    retryAfterSeconds: RETRY_SECONDS,
    refreshSeconds: RETRY_SECONDS,
    pageToken: token,
    ...(error instanceof Error ? { cause: error.message } : {}),
  });

  async function zoomJoin(zoom: ZoomJoins, event: LoadedEvent, room: RoomPlan, participant: Participant, token: string): Promise<JoinOutcome> {
    try {
      const found = await zoom.joinUrlFor(event, room, participant);
      if ('url' in found) return { kind: 'redirect', url: found.url, provider: 'zoom' };
      return {
        kind: 'page',
        status: 409,
        outcome: 'pending',
        title: 'Your registration is still being processed',
        message: 'Your personal Zoom link is being prepared. This page checks again by itself every 20 seconds.',
        refreshSeconds: 20,
        pageToken: token,
      };
    } catch (error) {
      return unavailable('Zoom', token, error);
    }
  }

  /** Everything after the participant is known; answers at once when the room is known to run. */
  function joinAs(access: Access, token: string, sessionId: string): MaybePromise<JoinOutcome> {
    if (!access.ok) return { kind: 'page', status: access.status, outcome: 'denied', title: access.title, message: access.message };
    const { event, participant } = access;
    const session = event.sessionById.get(sessionId);
    const room = session && event.roomById.get(session.roomId);
    if (!session || !room) {
      return { kind: 'page', status: 404, outcome: 'not-found', title: 'No such session', message: 'This session is not in the programme (any more). Your personal page lists the current sessions.', pageToken: token };
    }
    const { programme } = event.stored;
    const window = joinWindow(session.startsAtMs, session.endsAtMs, programme.joinOpensMinutesBefore, deps.clock.now().getTime());
    if (window.state === 'before') {
      return {
        kind: 'page',
        status: 403,
        outcome: 'too-early',
        title: `“${session.title}” has not opened yet`,
        message: `You can join from ${programme.joinOpensMinutesBefore} minutes before the start.`,
        opensAt: { iso: window.opensAt.toISOString(), timezone: programme.timezone },
        pageToken: token,
      };
    }
    if (window.state === 'ended') {
      return { kind: 'page', status: 410, outcome: 'ended', title: `“${session.title}” has ended`, message: 'This session is over. Your personal page lists the sessions still to come.', pageToken: token };
    }

    if (room.provider === 'bbb') {
      const bbb = deps.bbb;
      if (!bbb) return unavailable('BigBlueButton', token);
      const running = bbb.rooms.runningNow(programme.id, room.id);
      if (running) return bbbRedirect(bbb.client, participant, running);
      return bbb.rooms.ensureRunning(programme, room, event.schedule.sessions).then(
        (meeting) => bbbRedirect(bbb.client, participant, meeting),
        (error: unknown) => unavailable('BigBlueButton', token, error),
      );
    }

    if (!deps.zoom) return unavailable('Zoom', token);
    return zoomJoin(deps.zoom, event, room, participant, token);
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
