import { createHash, randomInt } from 'node:crypto';

export type Role = 'MODERATOR' | 'VIEWER';
export type GuestPolicy = 'ALWAYS_ACCEPT' | 'ALWAYS_DENY' | 'ASK_MODERATOR';

export interface Attendee {
  internalUserID: string;
  userID: string;
  fullName: string;
  role: Role;
  guest: boolean;
  sessionToken: string;
  joinedAt: number;
}

export interface Meeting {
  meetingID: string;
  internalMeetingID: string;
  name: string;
  createTime: number;
  attendeePW: string;
  moderatorPW: string;
  voiceBridge: string;
  dialNumber: string;
  record: boolean;
  durationMinutes: number;
  welcome: string;
  logoutURL: string | undefined;
  maxParticipants: number;
  guestPolicy: GuestPolicy;
  metadata: Map<string, string>;
  attendees: Attendee[];
  hasUserJoined: boolean;
  hasBeenForciblyEnded: boolean;
  startTime: number;
  endTime: number;
  lastUserLeftAt: number | undefined;
  endedAt: number | undefined;
  keepEvents: boolean;
  /** Joins and leaves in order, as events.xml records them (what the analytics callback is built from). */
  presenceEvents: PresenceEvent[];
}

export interface PresenceEvent {
  kind: 'join' | 'leave';
  internalUserID: string;
  userID: string;
  fullName: string;
  role: Role;
  at: number;
}

export interface NewMeeting {
  meetingID: string;
  name: string;
  attendeePW: string | undefined;
  moderatorPW: string | undefined;
  record: boolean;
  durationMinutes: number;
  welcome: string;
  logoutURL: string | undefined;
  maxParticipants: number;
  guestPolicy: GuestPolicy;
  metadata: Map<string, string>;
  keepEvents?: boolean;
}

export interface Session {
  sessionToken: string;
  meetingID: string;
  internalMeetingID: string;
  meetingName: string;
  userID: string;
  internalUserID: string;
  fullName: string;
  role: Role;
}

export interface Lifetimes {
  emptyMeetingExpiryMs: number;
  lastUserLeftExpiryMs: number;
  endedMeetingRetentionMs: number;
}

export type CreateOutcome =
  | { kind: 'created'; meeting: Meeting }
  | { kind: 'duplicate'; meeting: Meeting }
  | { kind: 'idNotUnique' };

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED_ALNUM = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${ALNUM}`;

function randomString(length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export type MeetingRegistry = ReturnType<typeof createMeetingRegistry>;

/** Called once per meeting when it ends (end call, last user gone, duration over). */
export type OnMeetingEnded = (meeting: Meeting) => void;

export function createMeetingRegistry(now: () => number, lifetimes: Lifetimes, onEnded: OnMeetingEnded = () => undefined) {
  const meetings = new Map<string, Meeting>();
  const sessions = new Map<string, Session>();

  function isLive(meeting: Meeting): boolean {
    return meeting.endedAt === undefined;
  }

  function markEnded(meeting: Meeting, forcibly: boolean): void {
    if (!isLive(meeting)) return;
    const at = now();
    for (const a of meeting.attendees) meeting.presenceEvents.push({ kind: 'leave', internalUserID: a.internalUserID, userID: a.userID, fullName: a.fullName, role: a.role, at });
    meeting.attendees = [];
    meeting.endedAt = at;
    meeting.endTime = at;
    if (forcibly) meeting.hasBeenForciblyEnded = true;
    onEnded(meeting);
  }

  function freeVoiceBridge(): string {
    const used = new Set([...meetings.values()].map((m) => m.voiceBridge));
    for (;;) {
      const candidate = String(randomInt(10000, 100000));
      if (!used.has(candidate)) return candidate;
    }
  }

  // The same timings as bigbluebutton.properties meetingExpireIfNoUserJoinedInMinutes and
  // meetingExpireWhenLastUserLeftInMinutes; evaluated against now() so a test clock drives it as well as real time.
  function sweep(): void {
    const at = now();
    for (const [id, meeting] of meetings) {
      if (meeting.endedAt !== undefined) {
        if (at - meeting.endedAt >= lifetimes.endedMeetingRetentionMs) meetings.delete(id);
      } else if (!meeting.hasUserJoined) {
        if (at - meeting.createTime >= lifetimes.emptyMeetingExpiryMs) meetings.delete(id);
      } else if (meeting.durationMinutes > 0 && at - meeting.createTime >= meeting.durationMinutes * 60_000) {
        // `duration` ends the meeting when it is over, people in it or not (create.tsx).
        markEnded(meeting, false);
      } else if (
        meeting.attendees.length === 0 &&
        meeting.lastUserLeftAt !== undefined &&
        lifetimes.lastUserLeftExpiryMs > 0 &&
        at - meeting.lastUserLeftAt >= lifetimes.lastUserLeftExpiryMs
      ) {
        markEnded(meeting, false);
      }
    }
  }

  return {
    sweep,

    get(meetingID: string): Meeting | undefined {
      return meetings.get(meetingID);
    },

    all(): Meeting[] {
      return [...meetings.values()];
    },

    session(token: string): Session | undefined {
      return sessions.get(token);
    },

    // AC create / MeetingService.createMeeting: a live meeting answers a repeat create when the passwords
    // match or none were sent; an ended one is replaced by a fresh meeting with a new createTime.
    create(input: NewMeeting): CreateOutcome {
      const existing = meetings.get(input.meetingID);
      if (existing !== undefined && isLive(existing)) {
        const noPasswords = input.attendeePW === undefined && input.moderatorPW === undefined;
        const samePasswords = input.attendeePW === existing.attendeePW && input.moderatorPW === existing.moderatorPW;
        return noPasswords || samePasswords ? { kind: 'duplicate', meeting: existing } : { kind: 'idNotUnique' };
      }
      // A re-create within the same millisecond would reuse the internal ID of the meeting it replaces.
      const createTime = Math.max(now(), (existing?.createTime ?? -1) + 1);
      const meeting: Meeting = {
        meetingID: input.meetingID,
        internalMeetingID: `${createHash('sha1').update(input.meetingID, 'utf8').digest('hex')}-${createTime}`,
        name: input.name,
        createTime,
        attendeePW: input.attendeePW ?? randomString(8, MIXED_ALNUM),
        moderatorPW: input.moderatorPW ?? randomString(8, MIXED_ALNUM),
        voiceBridge: freeVoiceBridge(),
        dialNumber: '613-555-1234',
        record: input.record,
        durationMinutes: input.durationMinutes,
        welcome: input.welcome,
        logoutURL: input.logoutURL,
        maxParticipants: input.maxParticipants,
        guestPolicy: input.guestPolicy,
        metadata: input.metadata,
        attendees: [],
        hasUserJoined: false,
        hasBeenForciblyEnded: false,
        startTime: 0,
        endTime: 0,
        lastUserLeftAt: undefined,
        endedAt: undefined,
        keepEvents: input.keepEvents ?? false,
        presenceEvents: [],
      };
      meetings.set(meeting.meetingID, meeting);
      return { kind: 'created', meeting };
    },

    join(meeting: Meeting, user: { userID: string; fullName: string; role: Role; guest: boolean }): Attendee {
      const at = now();
      const internalUserID = `w_${randomString(12, ALNUM)}`;
      const attendee: Attendee = {
        ...user,
        // BBB generates a user ID when none is given; we reuse the internal one the same way.
        userID: user.userID === '' ? internalUserID : user.userID,
        internalUserID,
        sessionToken: randomString(16, ALNUM),
        joinedAt: at,
      };
      meeting.attendees.push(attendee);
      meeting.presenceEvents.push({ kind: 'join', internalUserID, userID: attendee.userID, fullName: attendee.fullName, role: attendee.role, at });
      if (!meeting.hasUserJoined) meeting.startTime = at;
      meeting.hasUserJoined = true;
      meeting.lastUserLeftAt = undefined;
      sessions.set(attendee.sessionToken, {
        sessionToken: attendee.sessionToken,
        meetingID: meeting.meetingID,
        internalMeetingID: meeting.internalMeetingID,
        meetingName: meeting.name,
        userID: attendee.userID,
        internalUserID,
        fullName: attendee.fullName,
        role: attendee.role,
      });
      return attendee;
    },

    /** Removes every session of userID; returns false when none was present. */
    leave(meetingID: string, userID: string): boolean {
      const meeting = meetings.get(meetingID);
      if (meeting === undefined || !isLive(meeting)) return false;
      const before = meeting.attendees.length;
      const at = now();
      for (const a of meeting.attendees.filter((x) => x.userID === userID)) {
        meeting.presenceEvents.push({ kind: 'leave', internalUserID: a.internalUserID, userID: a.userID, fullName: a.fullName, role: a.role, at });
      }
      meeting.attendees = meeting.attendees.filter((a) => a.userID !== userID);
      if (meeting.attendees.length === before) return false;
      if (meeting.attendees.length === 0) meeting.lastUserLeftAt = now();
      return true;
    },

    /** One browser session leaves (the simulated client's leave button). */
    leaveSession(token: string): boolean {
      const session = sessions.get(token);
      const meeting = session && meetings.get(session.meetingID);
      if (!session || !meeting || !isLive(meeting) || meeting.internalMeetingID !== session.internalMeetingID) return false;
      const attendee = meeting.attendees.find((a) => a.internalUserID === session.internalUserID);
      if (!attendee) return false;
      meeting.presenceEvents.push({ kind: 'leave', internalUserID: attendee.internalUserID, userID: attendee.userID, fullName: attendee.fullName, role: attendee.role, at: now() });
      meeting.attendees = meeting.attendees.filter((a) => a !== attendee);
      if (meeting.attendees.length === 0) meeting.lastUserLeftAt = now();
      return true;
    },

    end(meetingID: string): boolean {
      const meeting = meetings.get(meetingID);
      if (meeting === undefined) return false;
      markEnded(meeting, true);
      return true;
    },

    isLive,
  };
}
