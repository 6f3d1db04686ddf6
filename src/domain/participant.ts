import { z } from 'zod';
import { participantLinksSchema } from './links.js';

export const participantRoleSchema = z.enum(['participant', 'moderator', 'panelist']);
export type ParticipantRole = z.infer<typeof participantRoleSchema>;

export const participantInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(128),
  email: z.string().trim().pipe(z.email().max(128)),
  role: participantRoleSchema.default('participant'),
  language: z
    .string()
    .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag such as en or de-AT')
    .optional(),
});
export type ParticipantInput = z.output<typeof participantInputSchema>;

export const participantSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  name: z.string(),
  email: z.string(),
  role: participantRoleSchema,
  language: z.string().optional(),
  createdAt: z.string(),
});
export type Participant = z.infer<typeof participantSchema>;

/** One person, one record: addresses differing only in case, width or surrounding space are the same. */
export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/** A registration as handed back to the organizer: who, with which personal links. */
export const issuedParticipantSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: participantRoleSchema,
  links: participantLinksSchema,
});
export type IssuedParticipant = z.infer<typeof issuedParticipantSchema>;
