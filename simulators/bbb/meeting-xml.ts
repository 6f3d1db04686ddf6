import { el } from './xml-writer.js';
import type { Meeting } from './meeting-registry.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// createDate is java.util.Date#toString on the server; UTC keeps the simulator independent of the host zone.
export function javaDateString(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
}

// create-meeting.ftlx
export function createMeetingFields(meeting: Meeting, messageKey: string, message: string): string[] {
  return [
    el('meetingID', meeting.meetingID),
    el('internalMeetingID', meeting.internalMeetingID),
    el('parentMeetingID', 'bbb-none'),
    el('attendeePW', meeting.attendeePW),
    el('moderatorPW', meeting.moderatorPW),
    el('createTime', meeting.createTime),
    el('voiceBridge', meeting.voiceBridge),
    el('dialNumber', meeting.dialNumber),
    el('createDate', javaDateString(meeting.createTime)),
    el('hasUserJoined', meeting.hasUserJoined),
    el('duration', meeting.durationMinutes),
    el('hasBeenForciblyEnded', meeting.hasBeenForciblyEnded),
    el('messageKey', messageKey),
    el('message', message),
  ];
}

// get-meeting-info.ftlx / get-meetings.ftlx
export function meetingInfoFields(meeting: Meeting): string[] {
  const moderators = meeting.attendees.filter((a) => a.role === 'MODERATOR').length;
  return [
    el('meetingName', meeting.name),
    el('meetingID', meeting.meetingID),
    el('internalMeetingID', meeting.internalMeetingID),
    el('createTime', meeting.createTime),
    el('createDate', javaDateString(meeting.createTime)),
    el('voiceBridge', meeting.voiceBridge),
    el('dialNumber', meeting.dialNumber),
    el('attendeePW', meeting.attendeePW),
    el('moderatorPW', meeting.moderatorPW),
    el('running', meeting.attendees.length > 0),
    el('duration', meeting.durationMinutes),
    el('hasUserJoined', meeting.hasUserJoined),
    el('recording', false),
    el('hasBeenForciblyEnded', meeting.hasBeenForciblyEnded),
    el('startTime', meeting.startTime),
    el('endTime', meeting.endTime),
    el('participantCount', meeting.attendees.length),
    el('listenerCount', 0),
    el('voiceParticipantCount', 0),
    el('videoCount', 0),
    el('maxUsers', meeting.maxParticipants),
    el('moderatorCount', moderators),
    el(
      'attendees',
      meeting.attendees.map((a) =>
        el('attendee', [
          el('userID', a.userID),
          el('fullName', a.fullName),
          el('role', a.role),
          el('isPresenter', false),
          el('isListeningOnly', false),
          el('hasJoinedVoice', false),
          el('hasVideo', false),
          el('clientType', 'HTML5'),
        ]),
      ),
    ),
    el('metadata', [...meeting.metadata].map(([k, v]) => el(k, v))),
    el('isBreakout', false),
  ];
}
