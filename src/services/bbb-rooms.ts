import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { wallClock, type Clock } from '../clock.js';
import type { Programme } from '../domain/programme.js';
import type { RoomPlan, ScheduledSession } from '../domain/schedule.js';
import type { BbbClient, CreateMeetingInput } from '../providers/bbb/bbb-client.js';
import type { KeySpace } from '../store/redis.js';

export interface RunningMeeting {
  meetingID: string;
  createTime: number;
}

export interface BbbRooms {
  meetingIdFor(eventId: string, roomId: string): string;
  createInput(programme: Programme, room: RoomPlan, sessions: readonly ScheduledSession[]): CreateMeetingInput;
  /** The meeting of a room when this process checked it recently enough to trust it; never asks anyone. */
  runningNow(eventId: string, roomId: string): RunningMeeting | undefined;
  /** A meeting that runs now, creating it if needed: one create per room across all processes. */
  ensureRunning(programme: Programme, room: RoomPlan, sessions: readonly ScheduledSession[]): Promise<RunningMeeting>;
}

export interface BbbRoomsDeps {
  bbb: BbbClient;
  redis: Redis;
  keys: KeySpace;
  clock: Clock;
  publicBaseUrl: string;
}

interface Known extends RunningMeeting {
  verifiedAt: number;
  reusable: boolean;
}

/**
 * How long a checked meeting may be trusted without asking BigBlueButton again. BBB removes a meeting
 * 5 minutes after create if nobody joined, and 1 minute after the last user left; 10 seconds is well
 * inside both, so a remembered createTime never points at a meeting that has gone.
 */
const TRUST_MS = 10_000;
const EMPTY_MEETING_SAFE_MS = 4 * 60_000;
const LOCK_MS = 15_000;
const WAIT_STEP_MS = 25;
const OVERRUN_MINUTES = 60;

const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export const analyticsCallbackUrl = (publicBaseUrl: string, eventId: string, roomId: string) => `${publicBaseUrl}/callbacks/bbb/analytics/${eventId}/${roomId}`;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function createBbbRooms({ bbb, redis, keys, clock, publicBaseUrl }: BbbRoomsDeps): BbbRooms {
  const known = new Map<string, Known>();
  const flights = new Map<string, Promise<RunningMeeting>>();

  const meetingIdFor = (eventId: string, roomId: string) => `${eventId}--${roomId}`;
  const sharedKey = (meetingID: string) => keys.key('bbb', 'meeting', meetingID);
  const lockKey = (meetingID: string) => keys.key('bbb', 'create-lock', meetingID);

  function createInput(programme: Programme, room: RoomPlan, sessions: readonly ScheduledSession[]): CreateMeetingInput {
    const now = clock.now().getTime();
    const endsAt = Date.parse(room.endsAt);
    const agenda = sessions
      .filter((s) => s.roomId === room.id)
      .map((s) => `${s.localStart}–${s.localEnd} ${escapeHtml(s.title)}`);
    const day = DateTime.fromISO(room.date, { zone: programme.timezone }).toFormat('cccc d LLLL yyyy');
    return {
      meetingID: meetingIdFor(programme.id, room.id),
      name: `${programme.title} – ${room.title}`.slice(0, 256),
      welcome: [`Welcome to <b>${escapeHtml(room.title)}</b>, ${day} (times in ${programme.timezone}):`, ...agenda].join('<br>'),
      record: room.record,
      logoutURL: `${publicBaseUrl}/left/${programme.id}`,
      duration: Math.max(1, Math.ceil((Math.max(endsAt, now) - now) / 60_000) + OVERRUN_MINUTES),
      // BigBlueButton POSTs the meeting's learning-analytics record here after it ends, once its events are
      // archived (meetingKeepEvents); the URL names the room, the JWT proves the sender (bbb-analytics-routes.ts).
      meta: { event: programme.id, day: room.date, room: room.id, 'analytics-callback-url': analyticsCallbackUrl(publicBaseUrl, programme.id, room.id) },
      keepEvents: true,
      guestPolicy: 'ALWAYS_ACCEPT',
      ...(room.maxParticipants !== undefined ? { maxParticipants: room.maxParticipants } : {}),
    };
  }

  function remember(meetingID: string, createTime: number, reusable: boolean): RunningMeeting {
    known.set(meetingID, { meetingID, createTime, verifiedAt: clock.now().getTime(), reusable });
    return { meetingID, createTime };
  }

  /** A createTime another process obtained after `since` (wall-clock ms): older ones may belong to a meeting that has gone. */
  async function readShared(meetingID: string, since: number): Promise<number | undefined> {
    const raw = await redis.get(sharedKey(meetingID));
    if (!raw) return undefined;
    const shared = JSON.parse(raw) as { createTime: number; at: number };
    return shared.at >= since ? shared.createTime : undefined;
  }

  async function createAcrossProcesses(input: CreateMeetingInput, startedAt: number): Promise<RunningMeeting> {
    const { meetingID } = input;
    const deadline = startedAt + LOCK_MS * 2;
    for (;;) {
      const token = randomUUID();
      if ((await redis.set(lockKey(meetingID), token, 'PX', LOCK_MS, 'NX')) === 'OK') {
        try {
          // Another process may have created it between our getMeetingInfo and taking the lock.
          const fresh = await readShared(meetingID, startedAt);
          if (fresh !== undefined) return remember(meetingID, fresh, true);
          const created = await bbb.create(input);
          await redis.set(sharedKey(meetingID), JSON.stringify({ createTime: created.createTime, at: wallClock.now().getTime() }), 'PX', TRUST_MS);
          return remember(meetingID, created.createTime, true);
        } finally {
          await redis.eval(RELEASE_LOCK, 1, lockKey(meetingID), token);
        }
      }
      // Another process is creating this room: wait for its result instead of creating it again.
      while (wallClock.now().getTime() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
        const shared = await readShared(meetingID, startedAt);
        if (shared !== undefined) return remember(meetingID, shared, true);
        if ((await redis.exists(lockKey(meetingID))) === 0) break;
      }
      if (wallClock.now().getTime() >= deadline) throw new Error(`timed out waiting for meeting ${meetingID} to be created`);
    }
  }

  async function check(programme: Programme, room: RoomPlan, sessions: readonly ScheduledSession[]): Promise<RunningMeeting> {
    const meetingID = meetingIdFor(programme.id, room.id);
    const startedAt = wallClock.now().getTime();
    const info = await bbb.getMeetingInfo(meetingID);
    if (info && !info.hasBeenForciblyEnded) {
      const now = clock.now().getTime();
      const young = !info.hasUserJoined && now - info.createTime < EMPTY_MEETING_SAFE_MS;
      return remember(meetingID, info.createTime, info.participantCount > 0 || young);
    }
    return createAcrossProcesses(createInput(programme, room, sessions), startedAt);
  }

  function runningNow(eventId: string, roomId: string): RunningMeeting | undefined {
    const memo = known.get(meetingIdFor(eventId, roomId));
    return memo?.reusable && clock.now().getTime() - memo.verifiedAt < TRUST_MS ? memo : undefined;
  }

  return {
    meetingIdFor,
    createInput,
    runningNow,
    async ensureRunning(programme, room, sessions) {
      const meetingID = meetingIdFor(programme.id, room.id);
      const memo = runningNow(programme.id, room.id);
      if (memo) return memo;
      const inFlight = flights.get(meetingID);
      if (inFlight) return inFlight;
      const flight = check(programme, room, sessions).finally(() => flights.delete(meetingID));
      flights.set(meetingID, flight);
      return flight;
    },
  };
}
