import { z } from 'zod';
import { issuedParticipantSchema, participantInputSchema } from '../../domain/participant.js';
import { idSchema } from '../../domain/programme.js';
import { heldBackSchema } from '../../services/provisioning-service.js';
import { roomStateSchema } from '../../store/room-state-store.js';

export const MAX_PARTICIPANTS_PER_REQUEST = 10_000;

export const participantsBody = z.strictObject({
  participants: z.array(participantInputSchema).min(1).max(MAX_PARTICIPANTS_PER_REQUEST),
});

export const participantParams = z.object({ eventId: idSchema, participantId: z.string().regex(/^p-[a-z0-9]{12}$/, 'is not a participant id') });

export const participantsResponse = z.object({ participants: z.array(issuedParticipantSchema) });

export const provisioningResponse = z.object({
  // The stored room state without the worker's bookkeeping fields.
  rooms: z.array(
    roomStateSchema
      .omit({ jobId: true, appliedHash: true, pendingCreate: true, readyAt: true })
      .extend({ heldBack: heldBackSchema.optional().describe("Zoom registrants refused for today by Zoom's per-registrant limit, and when each is sent again") }),
  ),
});

export const planResponse = z.object({
  eventId: z.string(),
  version: z.number().int(),
  generatedAt: z.string(),
  operations: z.array(
    z.object({
      action: z.enum(['create', 'update', 'delete', 'unschedule', 'add', 'cancel']),
      target: z.enum(['bbb-room', 'zoom-webinar', 'zoom-registrants', 'zoom-panelists']),
      roomId: z.string(),
      when: z.string().describe("'now', an ISO instant, or a condition"),
      reason: z.string(),
      webinarId: z.string().optional(),
      count: z.number().int().optional(),
      participantIds: z.array(z.string()).optional().describe('up to 100 of the participants concerned'),
    }),
  ),
  unchanged: z.array(z.string()).describe('rooms that need nothing'),
});
