import { sanitize } from './checksum-verifier.js';
import type { GuestPolicy, NewMeeting } from './meeting-registry.js';

// Validation for create, in the order bbb-common-web's constraints and ApiController apply it
// (model/constraint/*, ParamsProcessorUtil.processCreateParams). Types are checked strictly: a real server
// tolerates some sloppiness per version, a simulator that did too would let client bugs through.

export type ParamReader = (name: string) => string | undefined;
export type Rejection = { ok: false; messageKey: string; message: string };
export type Parsed<T> = { ok: true; value: T } | Rejection;

const GUEST_POLICIES: readonly GuestPolicy[] = ['ALWAYS_ACCEPT', 'ALWAYS_DENY', 'ASK_MODERATOR'];
const META_PARAM = /^meta_([a-zA-Z][a-zA-Z0-9-]*)$/;

export function reject(messageKey: string, message: string): Rejection {
  return { ok: false, messageKey, message };
}

export function checkMeetingID(meetingID: string | undefined): Rejection | undefined {
  // Size/NotEmpty constraints let null through; the sanitizeString comparison in the controller is what fails.
  if (meetingID === undefined) return reject('validationError', 'Invalid meeting ID');
  if (meetingID === '') return reject('missingParamMeetingID', 'You must specify a meeting ID for the meeting.');
  if (sanitize(meetingID) !== meetingID) return reject('validationError', 'Invalid meeting ID');
  if (meetingID.length < 2 || meetingID.length > 256) {
    return reject('sizeError', 'Meeting ID must be between 2 and 256 characters');
  }
  if (meetingID.includes(',')) return reject('validationError', "Meeting ID cannot contain ','");
  return undefined;
}

function parseBool(name: string, raw: string | undefined, fallback: boolean): Parsed<boolean> {
  if (raw === undefined) return { ok: true, value: fallback };
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === 'false') return { ok: true, value: lower === 'true' };
  return reject('validationError', `Parameter ${name} must be a boolean`);
}

function parseCount(name: string, raw: string | undefined): Parsed<number> {
  if (raw === undefined) return { ok: true, value: 0 };
  if (!/^\d{1,9}$/.test(raw)) return reject('validationError', `Parameter ${name} must be a non-negative integer`);
  return { ok: true, value: Number(raw) };
}

function checkPassword(raw: string | undefined): Rejection | undefined {
  if (raw !== undefined && (raw.length < 2 || raw.length > 64)) {
    return reject('invalidPassword', 'Password must be between 2 and 64 characters');
  }
  return undefined;
}

export function parseCreateParams(read: ParamReader, names: readonly string[]): Parsed<NewMeeting> {
  const meetingID = read('meetingID');
  const idProblem = checkMeetingID(meetingID);
  if (idProblem !== undefined || meetingID === undefined) return idProblem ?? reject('validationError', 'Invalid meeting ID');

  const name = read('name');
  if (name === undefined) return reject('nullError', 'You must specify a meeting name.');
  if (name.trim() === '') return reject('emptyError', 'The meeting name cannot be empty.');
  if (name.length < 2 || name.length > 256) return reject('sizeError', 'Meeting name must be between 2 and 256 characters');

  const attendeePW = read('attendeePW');
  const moderatorPW = read('moderatorPW');
  const passwordProblem = checkPassword(attendeePW) ?? checkPassword(moderatorPW);
  if (passwordProblem !== undefined) return passwordProblem;

  const record = parseBool('record', read('record'), false);
  if (!record.ok) return record;
  const duration = parseCount('duration', read('duration'));
  if (!duration.ok) return duration;
  const maxParticipants = parseCount('maxParticipants', read('maxParticipants'));
  if (!maxParticipants.ok) return maxParticipants;
  // defaultKeepEvents=false on a stock server: only meetings that ask keep their events (and get analytics).
  const keepEvents = parseBool('meetingKeepEvents', read('meetingKeepEvents'), false);
  if (!keepEvents.ok) return keepEvents;

  const guestPolicyRaw = read('guestPolicy') ?? 'ALWAYS_ACCEPT';
  const guestPolicy = GUEST_POLICIES.find((p) => p === guestPolicyRaw.toUpperCase());
  if (guestPolicy === undefined) return reject('validationError', 'Parameter guestPolicy is not a known guest policy');

  const metadata = new Map<string, string>();
  for (const paramName of names) {
    if (!paramName.startsWith('meta_')) continue;
    const match = META_PARAM.exec(paramName);
    if (match?.[1] === undefined) return reject('validationError', `Invalid metadata parameter name ${paramName}`);
    // processMetaParam lowercases: meta_endCallbackUrl comes back as <endcallbackurl>.
    metadata.set(match[1].toLowerCase(), read(paramName) ?? '');
  }

  return {
    ok: true,
    value: {
      meetingID,
      name,
      attendeePW,
      moderatorPW,
      record: record.value,
      durationMinutes: duration.value,
      welcome: read('welcome') ?? '',
      logoutURL: read('logoutURL'),
      maxParticipants: maxParticipants.value,
      guestPolicy,
      metadata,
      keepEvents: keepEvents.value,
    },
  };
}
