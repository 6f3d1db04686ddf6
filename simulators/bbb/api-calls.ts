import { checkMeetingID, parseCreateParams, type ParamReader } from './create-params.js';
import type { MeetingRegistry } from './meeting-registry.js';
import { createMeetingFields, meetingInfoFields } from './meeting-xml.js';
import { el, failedXml, successXml } from './xml-writer.js';

export type ApiResult = { kind: 'xml'; body: string } | { kind: 'redirect'; location: string };

export interface CallContext {
  registry: MeetingRegistry;
  read: ParamReader;
  names: readonly string[];
  /** scheme://host:port the simulator is reachable at, standing in for bigbluebutton.web.serverURL */
  origin: string;
}

const NOT_FOUND = 'A meeting with that ID does not exist';

export function xml(body: string): ApiResult {
  return { kind: 'xml', body };
}

function failed(messageKey: string, message: string): ApiResult {
  return xml(failedXml(messageKey, message));
}

export function create(ctx: CallContext): ApiResult {
  const parsed = parseCreateParams(ctx.read, ctx.names);
  if (!parsed.ok) return failed(parsed.messageKey, parsed.message);
  const outcome = ctx.registry.create(parsed.value);
  if (outcome.kind === 'idNotUnique') {
    return failed('idNotUnique', 'A meeting already exists with that meeting ID.  Please use a different meeting ID.');
  }
  if (outcome.kind === 'duplicate') {
    return xml(
      successXml(
        createMeetingFields(
          outcome.meeting,
          'duplicateWarning',
          'This conference was already in existence and may currently be in progress.',
        ),
      ),
    );
  }
  return xml(successXml(createMeetingFields(outcome.meeting, '', '')));
}

function requireMeetingID(ctx: CallContext): string | ApiResult {
  const meetingID = ctx.read('meetingID');
  if (meetingID === undefined || meetingID === '') {
    return failed('missingParamMeetingID', 'You must specify a meeting ID for the meeting.');
  }
  return meetingID;
}

export function isMeetingRunning(ctx: CallContext): ApiResult {
  const meetingID = requireMeetingID(ctx);
  if (typeof meetingID !== 'string') return meetingID;
  const problem = checkMeetingID(meetingID);
  if (problem !== undefined) return failed(problem.messageKey, problem.message);
  // Meeting.isRunning is "has users"; unknown IDs are SUCCESS/false, not an error.
  const meeting = ctx.registry.get(meetingID);
  return xml(successXml([el('running', meeting !== undefined && meeting.attendees.length > 0)]));
}

export function getMeetingInfo(ctx: CallContext): ApiResult {
  const meetingID = requireMeetingID(ctx);
  if (typeof meetingID !== 'string') return meetingID;
  const meeting = ctx.registry.get(meetingID);
  if (meeting === undefined) return failed('notFound', NOT_FOUND);
  return xml(successXml(meetingInfoFields(meeting)));
}

export function getMeetings(ctx: CallContext): ApiResult {
  const all = ctx.registry.all();
  if (all.length === 0) {
    return xml(
      successXml([el('meetings', []), el('messageKey', 'noMeetings'), el('message', 'no meetings were found on this server')]),
    );
  }
  return xml(successXml([el('meetings', all.map((m) => el('meeting', meetingInfoFields(m))))]));
}

export function end(ctx: CallContext): ApiResult {
  const meetingID = requireMeetingID(ctx);
  if (typeof meetingID !== 'string') return meetingID;
  const meeting = ctx.registry.get(meetingID);
  if (meeting === undefined) return failed('notFound', NOT_FOUND);
  // The password is deprecated and optional (end.tsx) but still checked when sent.
  const password = ctx.read('password');
  if (password !== undefined && password !== meeting.moderatorPW) {
    return failed('invalidPassword', 'You must supply the moderator password for this call.');
  }
  ctx.registry.end(meetingID);
  return xml(
    successXml([
      el('messageKey', 'sentEndMeetingRequest'),
      el(
        'message',
        'A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify that it was ended.',
      ),
    ]),
  );
}
