import { hash } from 'node:crypto';
import { z } from 'zod';
import { SUPPORTED_LANGUAGES } from '../i18n/languages.js';
import { localToInstant } from './local-time.js';

const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(([01]\d|2[0-3]):[0-5]\d)$/;

/** The programme's `registration` field: absent means nobody can register themselves. */
export const registrationSettingsSchema = z
  .strictObject({
    open: z.boolean(),
    capacity: z.number().int().min(1).max(100_000).optional().describe('places; confirmed people beyond it are waitlisted'),
    closesAt: z
      .string()
      .regex(LOCAL_DATE_TIME, 'must be a local date and time YYYY-MM-DDTHH:MM')
      .optional()
      .describe("local time in the event's zone; the form answers 410 from then on"),
    privacyUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(500)
      .optional()
      .describe("the organizer's privacy notice, linked from the consent checkbox"),
  })
  .describe('self-registration: {"open":true,"capacity"?:N,"closesAt"?:"YYYY-MM-DDTHH:MM"}');
export type RegistrationSettings = z.infer<typeof registrationSettingsSchema>;

export type RegistrationState = { open: true; closesAt?: Date } | { open: false; reason: 'not-offered' | 'closed' | 'deadline-passed' };

/** The instant `closesAt` names in the zone; undefined when the wall-clock time does not exist (or is invalid). */
export function closingInstant(closesAt: string, zone: string): Date | undefined {
  const match = LOCAL_DATE_TIME.exec(closesAt);
  if (!match) return undefined;
  const result = localToInstant(match[1] ?? '', match[2] ?? '', zone);
  return result.ok ? result.instant.toJSDate() : undefined;
}

/** Problems with `closesAt` the schema cannot see: a date that does not exist, or a time the clocks skip. */
export function registrationIssues(settings: RegistrationSettings, zone: string): Array<{ path: Array<string | number>; message: string }> {
  if (settings.closesAt === undefined) return [];
  const match = LOCAL_DATE_TIME.exec(settings.closesAt);
  if (!match) return [];
  const [date, time] = [match[1] ?? '', match[2] ?? ''];
  const result = localToInstant(date, time, zone);
  if (result.ok) return [];
  const message = result.reason === 'nonexistent' ? `${time} does not exist on ${date} in ${zone}: the clocks spring forward over it` : `${date} ${time} is not a valid time`;
  return [{ path: ['registration', 'closesAt'], message }];
}

export function registrationState(settings: RegistrationSettings | undefined, zone: string, now: Date): RegistrationState {
  if (!settings) return { open: false, reason: 'not-offered' };
  if (!settings.open) return { open: false, reason: 'closed' };
  if (settings.closesAt === undefined) return { open: true };
  const closesAt = closingInstant(settings.closesAt, zone);
  // The programme schema refuses such a time; should one be stored anyway, the form stays shut rather than open for ever.
  if (!closesAt || now.getTime() >= closesAt.getTime()) return { open: false, reason: 'deadline-passed' };
  return { open: true, closesAt };
}

/** How long a confirmation link works, and so how long a pending registration is kept. */
export const CONFIRMATION_VALID_MS = 48 * 60 * 60 * 1000;

export const consentSchema = z.object({
  /** Names the exact wording agreed to: a hash of language, text and privacy notice URL. */
  version: z.string(),
  language: z.enum(SUPPORTED_LANGUAGES),
  text: z.string(),
  privacyUrl: z.string().optional(),
  at: z.iso.datetime(),
});
export type Consent = z.infer<typeof consentSchema>;

export function consentVersion(language: string, text: string, privacyUrl: string | undefined): string {
  return hash('sha256', `${language}\n${text}\n${privacyUrl ?? ''}`, 'hex').slice(0, 16);
}

/** What a person gave on the form; the same record travels from pending to waitlisted or admitted. */
export const registrantSchema = z.object({
  eventId: z.string(),
  name: z.string(),
  email: z.string(),
  language: z.enum(SUPPORTED_LANGUAGES),
  organisation: z.string().optional(),
  consent: consentSchema,
  registeredAt: z.iso.datetime(),
});
export type Registrant = z.infer<typeof registrantSchema>;

/** Submitted, not yet confirmed: no participant exists, only this record (kept until its link expires). */
export const pendingRegistrationSchema = registrantSchema.extend({ id: z.string().regex(/^r-[a-z0-9]{16}$/), expiresAt: z.iso.datetime() });
export type PendingRegistration = z.infer<typeof pendingRegistrationSchema>;

/** Confirmed: waiting for a place or being admitted, under the participant id they keep once admitted. */
export const confirmedRegistrantSchema = registrantSchema.extend({
  participantId: z.string(),
  confirmedAt: z.iso.datetime(),
  /** The pending registration confirmed, so erasure finds it before it expires. */
  registrationId: z.string().optional(),
});
export type ConfirmedRegistrant = z.infer<typeof confirmedRegistrantSchema>;

export const participantStatusSchema = z.enum(['registered', 'waitlisted']);
export type ParticipantStatus = z.infer<typeof participantStatusSchema>;
