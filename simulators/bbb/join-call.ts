import { xml, type ApiResult, type CallContext } from './api-calls.js';
import type { Meeting, Role } from './meeting-registry.js';
import { el, failedXml, successXml } from './xml-writer.js';

// AC join as of 2.7/3.0: validation, then createTime, role/password, guest policy and capacity.

interface JoinError {
  messageKey: string;
  message: string;
}

// Boolean.parseBoolean: only "true" in any case is true, so redirect=1 means no redirect.
function wantsRedirect(raw: string | undefined): boolean {
  return raw === undefined || raw.toLowerCase() === 'true';
}

// Join errors while redirecting send the browser away with the errors attached (PR #17202, #21654),
// in the shape seen in issue #20178: ?errors=[{"message":…,"key":…}].
function errorRedirect(ctx: CallContext, meeting: Meeting | undefined, error: JoinError): ApiResult {
  const target = ctx.read('errorRedirectUrl') ?? ctx.read('logoutURL') ?? meeting?.logoutURL ?? `${ctx.origin}/`;
  const errors = encodeURIComponent(JSON.stringify([{ message: error.message, key: error.messageKey }]));
  return { kind: 'redirect', location: `${target}${target.includes('?') ? '&' : '?'}errors=${errors}` };
}

function resolveRole(ctx: CallContext, meeting: Meeting): Role | JoinError {
  const role = ctx.read('role')?.toUpperCase();
  if (role === 'MODERATOR' || role === 'VIEWER') return role;
  const password = ctx.read('password');
  if (password === undefined) {
    // The typo is the server's.
    return {
      messageKey: 'Params required',
      message: 'You must either send the valid role of the user, or the password, sould the meeting has one.',
    };
  }
  if (password === meeting.moderatorPW) return 'MODERATOR';
  if (password === meeting.attendeePW) return 'VIEWER';
  return { messageKey: 'Params required', message: 'You must enter a valid password' };
}

export function join(ctx: CallContext): ApiResult {
  const redirect = wantsRedirect(ctx.read('redirect'));
  const meetingID = ctx.read('meetingID');
  const meeting = meetingID === undefined ? undefined : ctx.registry.get(meetingID);
  const fail = (error: JoinError): ApiResult =>
    redirect ? errorRedirect(ctx, meeting, error) : xml(failedXml(error.messageKey, error.message));

  const fullName = ctx.read('fullName');
  if (fullName === undefined || fullName.trim() === '') {
    return fail({
      messageKey: 'missingParamFullName',
      message: 'You must specify a name for the attendee who will be joining the meeting.',
    });
  }
  if (meetingID === undefined || meetingID === '') {
    return fail({ messageKey: 'missingParamMeetingID', message: 'You must specify a meeting ID for the meeting.' });
  }
  // A missing meeting fails both invalidMeetingIdentifier and meetingForciblyEnded; HashMap order makes
  // the latter the one reported (issue #20178).
  if (meeting === undefined || !ctx.registry.isLive(meeting)) {
    return fail({
      messageKey: 'meetingForciblyEnded',
      message: 'You can not re-join a meeting that has already been forcibly ended.',
    });
  }
  const createTimeRaw = ctx.read('createTime');
  if (createTimeRaw !== undefined) {
    const createTime = /^-?\d{1,18}$/.test(createTimeRaw) ? Number(createTimeRaw) : -1;
    if (createTime !== meeting.createTime) {
      return fail({
        messageKey: 'mismatchCreateTimeParam',
        message: 'The createTime parameter submitted mismatches with the current meeting.',
      });
    }
  }
  const role = resolveRole(ctx, meeting);
  // Role/password failures are rendered as XML even when redirecting (issue #24611).
  if (typeof role !== 'string') return xml(failedXml(role.messageKey, role.message));

  const guest = ctx.read('guest')?.toLowerCase() === 'true';
  if (guest && meeting.guestPolicy === 'ALWAYS_DENY') {
    return fail({ messageKey: 'guestDeniedAccess', message: 'You have been denied access to this meeting based on the meeting\'s guest policy' });
  }
  const userID = ctx.read('userID') ?? '';
  const rejoining = userID !== '' && meeting.attendees.some((a) => a.userID === userID);
  if (meeting.maxParticipants > 0 && !rejoining && meeting.attendees.length >= meeting.maxParticipants) {
    return fail({
      messageKey: 'maxParticipantsReached',
      message: 'The number of participants allowed for this meeting has been reached.',
    });
  }

  const attendee = ctx.registry.join(meeting, { userID, fullName, role, guest });
  const clientUrl = `${ctx.origin}/html5client/join?sessionToken=${attendee.sessionToken}`;
  if (redirect) return { kind: 'redirect', location: clientUrl };
  return xml(
    successXml([
      el('messageKey', 'successfullyJoined'),
      el('message', 'You have joined successfully.'),
      el('meeting_id', meeting.internalMeetingID),
      el('user_id', attendee.internalUserID),
      el('auth_token', attendee.sessionToken.slice(0, 12)),
      el('session_token', attendee.sessionToken),
      el('guestStatus', 'ALLOW'),
      el('url', clientUrl),
    ]),
  );
}
