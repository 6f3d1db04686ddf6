import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

// Shapes follow the FreeMarker templates behind each call (bigbluebutton-web WEB-INF/freemarker/*.ftlx,
// https://docs.bigbluebutton.org/development/api). Only the fields we act on are checked; the rest pass through.

const millis = z.string().regex(/^\d+$/).transform(Number);
const xmlBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
const count = z.string().regex(/^\d+$/).transform(Number);
// An empty element parses to '' and an absent one to undefined; both mean "no key".
const optionalText = z.string().optional().transform((v) => (v === undefined || v === '' ? undefined : v));

export const envelopeSchema = z.object({
  response: z.looseObject({
    returncode: z.enum(['SUCCESS', 'FAILED']),
    messageKey: optionalText,
    message: optionalText,
  }),
});

export const createResponseSchema = z.looseObject({
  meetingID: z.string().min(1),
  internalMeetingID: z.string().min(1),
  createTime: millis,
  messageKey: optionalText,
});

export const runningResponseSchema = z.looseObject({ running: xmlBoolean });

// One <attendee> parses to an object, several to an array, none to '' (an empty <attendees/>).
const attendee = z.looseObject({ userID: z.string().optional().default(''), fullName: z.string().optional().default(''), role: z.string().optional().default('') });
const attendees = z
  .union([z.literal(''), z.looseObject({ attendee: z.union([attendee, z.array(attendee)]).optional() })])
  .optional()
  .transform((v) => (v === undefined || v === '' || v.attendee === undefined ? [] : Array.isArray(v.attendee) ? v.attendee : [v.attendee]));

export const meetingInfoResponseSchema = z.looseObject({
  meetingID: z.string().min(1),
  internalMeetingID: z.string().min(1),
  createTime: millis,
  running: xmlBoolean,
  participantCount: count,
  hasBeenForciblyEnded: xmlBoolean,
  hasUserJoined: xmlBoolean,
  attendees,
});

export type Envelope = z.infer<typeof envelopeSchema>['response'];

// Throws on malformed XML or an unexpected envelope; the caller decides what that means for retries.
export function parseEnvelope(body: string): Envelope {
  // parseTagValue off keeps meeting IDs like "0123" or "1e5" as the strings BBB sent.
  const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, trimValues: true });
  const doc: unknown = parser.parse(body, true);
  return envelopeSchema.parse(doc).response;
}
