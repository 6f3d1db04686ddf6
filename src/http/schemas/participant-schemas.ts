import { z } from 'zod';
import { issuedParticipantSchema, participantInputSchema } from '../../domain/participant.js';
import { idSchema } from '../../domain/programme.js';

export const MAX_PARTICIPANTS_PER_REQUEST = 10_000;

export const participantsBody = z.strictObject({
  participants: z.array(participantInputSchema).min(1).max(MAX_PARTICIPANTS_PER_REQUEST),
  notify: z.boolean().default(true).describe('false: no invitation mail for the participants added by this request'),
});

export const participantParams = z.object({ eventId: idSchema, participantId: z.string().regex(/^p-[a-z0-9]{12}$/, 'is not a participant id') });

export const participantsResponse = z.object({ participants: z.array(issuedParticipantSchema) });
