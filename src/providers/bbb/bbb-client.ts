import type { z } from 'zod';
import { signedQuery, type ChecksumAlgorithm } from './checksum.js';
import { BbbApiError, BbbUnavailableError } from './bbb-errors.js';
import {
  createResponseSchema,
  meetingInfoResponseSchema,
  parseEnvelope,
  runningResponseSchema,
  type Envelope,
} from './bbb-responses.js';

export interface CreateMeetingInput {
  meetingID: string;
  name: string;
  welcome?: string;
  record: boolean;
  logoutURL?: string;
  /** minutes; 0 or absent means no limit */
  duration?: number;
  /** keys without the `meta_` prefix, matching [a-zA-Z][a-zA-Z0-9-]* */
  meta: Record<string, string>;
  guestPolicy?: 'ALWAYS_ACCEPT' | 'ALWAYS_DENY' | 'ASK_MODERATOR';
  maxParticipants?: number;
  /** meetingKeepEvents: the meeting's events are archived, which the learning-analytics callback needs. */
  keepEvents?: boolean;
}

export interface MeetingRef {
  meetingID: string;
  internalMeetingID: string;
  createTime: number;
  duplicate: boolean;
}

export interface MeetingInfo {
  meetingID: string;
  internalMeetingID: string;
  createTime: number;
  running: boolean;
  participantCount: number;
  hasBeenForciblyEnded: boolean;
  hasUserJoined: boolean;
  /** Who is in the meeting now: `userID` is what the join sent (our participant id). */
  attendees: Array<{ userID: string; fullName: string; role: string }>;
}

export interface JoinUrlInput {
  meetingID: string;
  fullName: string;
  userID: string;
  role: 'MODERATOR' | 'VIEWER';
  createTime: number;
}

export interface BbbClient {
  create(input: CreateMeetingInput): Promise<MeetingRef>;
  joinUrl(input: JoinUrlInput): string;
  isMeetingRunning(meetingID: string): Promise<boolean>;
  getMeetingInfo(meetingID: string): Promise<MeetingInfo | null>;
  end(meetingID: string): Promise<boolean>;
}

export interface BbbClientOptions {
  baseUrl: string;
  secret: string;
  algorithm: ChecksumAlgorithm;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Called after every call for metrics: the call name and outcome only, never the URL. */
  observe?: (event: { callName: string; outcome: 'ok' | 'failed' | 'unavailable'; durationMs: number }) => void;
}

// Everything goes in the GET query: a form-encoded POST body is handled differently across BBB versions
// (unsupportedContentType checks arrived in 2.7.8/3.0) and by Scalelite, which re-signs from merged params.
// 8000 bytes stays under the default 8 KiB request-line limit of nginx and Tomcat; a welcome text that would
// exceed it is refused up front instead of being cut silently.
export const MAX_URL_LENGTH = 8000;

const META_NAME = /^[a-zA-Z][a-zA-Z0-9-]*$/;

type Params = Array<readonly [string, string]>;

export function createBbbClient(opts: BbbClientOptions): BbbClient {
  const apiBase = `${opts.baseUrl.replace(/\/+$/, '')}/api/`;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const doFetch = opts.fetch ?? fetch;

  function url(callName: string, params: Params): string {
    return `${apiBase}${callName}?${signedQuery(callName, params, opts.secret, opts.algorithm)}`;
  }

  async function call(callName: string, params: Params, meetingID: string): Promise<Envelope> {
    if (!opts.observe) return callUnobserved(callName, params, meetingID);
    const started = performance.now();
    try {
      const envelope = await callUnobserved(callName, params, meetingID);
      opts.observe({ callName, outcome: envelope.returncode === 'SUCCESS' ? 'ok' : 'failed', durationMs: performance.now() - started });
      return envelope;
    } catch (error) {
      opts.observe({ callName, outcome: error instanceof BbbUnavailableError ? 'unavailable' : 'failed', durationMs: performance.now() - started });
      throw error;
    }
  }

  async function callUnobserved(callName: string, params: Params, meetingID: string): Promise<Envelope> {
    const target = url(callName, params);
    if (target.length > MAX_URL_LENGTH) {
      throw new BbbApiError(callName, 'requestTooLarge', `request URL would be ${target.length} bytes`, meetingID);
    }
    let res: Response;
    let body: string;
    try {
      res = await doFetch(target, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
      body = await res.text();
    } catch (err) {
      throw new BbbUnavailableError(callName, describeNetworkError(err, timeoutMs), meetingID);
    }
    if (res.status >= 500 || res.status === 408 || res.status === 429) {
      throw new BbbUnavailableError(callName, `HTTP ${res.status}`, meetingID);
    }
    if (res.status !== 200) {
      // A 404 or 414 here means a wrong base URL or proxy limit: retrying will not help.
      throw new BbbApiError(callName, 'httpClientError', `HTTP ${res.status}`, meetingID);
    }
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(body);
    } catch {
      throw new BbbUnavailableError(callName, 'response is not a BigBlueButton XML document', meetingID);
    }
    return envelope;
  }

  function fail(callName: string, envelope: Envelope, meetingID: string): never {
    throw new BbbApiError(callName, envelope.messageKey ?? 'unknown', envelope.message ?? '', meetingID);
  }

  function payload<S extends z.ZodType>(callName: string, schema: S, envelope: Envelope, meetingID: string): z.output<S> {
    const parsed = schema.safeParse(envelope);
    if (!parsed.success) {
      throw new BbbUnavailableError(callName, 'response is missing expected fields', meetingID);
    }
    return parsed.data;
  }

  return {
    async create(input) {
      const params: Params = [
        ['meetingID', input.meetingID],
        ['name', input.name],
        ['record', String(input.record)],
      ];
      if (input.welcome !== undefined) params.push(['welcome', input.welcome]);
      if (input.logoutURL !== undefined) params.push(['logoutURL', input.logoutURL]);
      if (input.duration !== undefined) params.push(['duration', String(input.duration)]);
      if (input.maxParticipants !== undefined) params.push(['maxParticipants', String(input.maxParticipants)]);
      if (input.guestPolicy !== undefined) params.push(['guestPolicy', input.guestPolicy]);
      if (input.keepEvents !== undefined) params.push(['meetingKeepEvents', String(input.keepEvents)]);
      for (const [key, value] of Object.entries(input.meta)) {
        // BBB ignores or rejects bad names depending on version; failing here keeps behaviour predictable.
        if (!META_NAME.test(key)) {
          throw new BbbApiError('create', 'invalidMetaName', `metadata name "${key}" is not allowed`, input.meetingID);
        }
        params.push([`meta_${key}`, value]);
      }
      // No attendeePW/moderatorPW: with neither sent, a repeated create is answered with the existing
      // meeting (duplicateWarning), which is what makes create safe to retry.
      const envelope = await call('create', params, input.meetingID);
      if (envelope.returncode === 'FAILED') fail('create', envelope, input.meetingID);
      const data = payload('create', createResponseSchema, envelope, input.meetingID);
      return {
        meetingID: data.meetingID,
        internalMeetingID: data.internalMeetingID,
        createTime: data.createTime,
        duplicate: data.messageKey === 'duplicateWarning',
      };
    },

    joinUrl(input) {
      // role rather than password: passwords are deprecated and a valid role wins over them anyway.
      // createTime makes links die when the room is re-created (mismatchCreateTimeParam).
      return url('join', [
        ['fullName', input.fullName],
        ['meetingID', input.meetingID],
        ['role', input.role],
        ['userID', input.userID],
        ['createTime', String(input.createTime)],
        ['redirect', 'true'],
      ]);
    },

    async isMeetingRunning(meetingID) {
      const envelope = await call('isMeetingRunning', [['meetingID', meetingID]], meetingID);
      if (envelope.returncode === 'FAILED') fail('isMeetingRunning', envelope, meetingID);
      return payload('isMeetingRunning', runningResponseSchema, envelope, meetingID).running;
    },

    async getMeetingInfo(meetingID) {
      const envelope = await call('getMeetingInfo', [['meetingID', meetingID]], meetingID);
      if (envelope.returncode === 'FAILED') {
        if (envelope.messageKey === 'notFound') return null;
        fail('getMeetingInfo', envelope, meetingID);
      }
      const data = payload('getMeetingInfo', meetingInfoResponseSchema, envelope, meetingID);
      return {
        meetingID: data.meetingID,
        internalMeetingID: data.internalMeetingID,
        createTime: data.createTime,
        running: data.running,
        participantCount: data.participantCount,
        hasBeenForciblyEnded: data.hasBeenForciblyEnded,
        hasUserJoined: data.hasUserJoined,
        attendees: data.attendees.map((a) => ({ userID: a.userID, fullName: a.fullName, role: a.role })),
      };
    },

    async end(meetingID) {
      const envelope = await call('end', [['meetingID', meetingID]], meetingID);
      if (envelope.returncode === 'FAILED') {
        if (envelope.messageKey === 'notFound') return false;
        fail('end', envelope, meetingID);
      }
      return true;
    },
  };
}

// Only the error's name and code are kept: undici causes can carry socket details we do not want
// to grow into a habit of logging whole request targets.
function describeNetworkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no response within ${timeoutMs} ms`;
    const cause = (err as { cause?: unknown }).cause;
    const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    return typeof code === 'string' ? `network error ${code}` : `network error ${err.name}`;
  }
  return 'network error';
}
