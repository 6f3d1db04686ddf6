import { z } from 'zod';
import { issuedParticipantSchema, participantInputSchema } from '../../domain/participant.js';
import { idSchema } from '../../domain/programme.js';
import { participantStatusSchema } from '../../domain/registration.js';
import { listedParticipantSchema } from '../../services/participant-listing.js';

export const MAX_PARTICIPANTS_PER_REQUEST = 10_000;

export const participantsBody = z.strictObject({
  participants: z.array(participantInputSchema).min(1).max(MAX_PARTICIPANTS_PER_REQUEST),
  notify: z.boolean().default(true).describe('false: no invitation mail for the participants added by this request'),
});

export const participantParams = z.object({ eventId: idSchema, participantId: z.string().regex(/^p-[a-z0-9]{12}$/, 'is not a participant id') });

export const participantsResponse = z.object({ participants: z.array(issuedParticipantSchema) });

export const participantsQuery = z.strictObject({
  status: participantStatusSchema.optional(),
  cursor: z.string().max(200).optional().describe('the `next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const participantListResponse = z.object({ participants: z.array(listedParticipantSchema), next: z.string().optional() });
