import { z } from 'zod';
import { participantInputSchema } from '../../domain/participant.js';
import { idSchema } from '../../domain/programme.js';
import { roomStateSchema } from '../../store/room-state-store.js';

export const MAX_PARTICIPANTS_PER_REQUEST = 10_000;

export const participantsBody = z.strictObject({
  participants: z.array(participantInputSchema).min(1).max(MAX_PARTICIPANTS_PER_REQUEST),
});

export const participantParams = z.object({ eventId: idSchema, participantId: z.string().regex(/^p-[a-z0-9]{12}$/, 'is not a participant id') });

export const participantsResponse = z.object({
  participants: z.array(
    z.object({
      id: z.string(),
      email: z.string(),
      name: z.string(),
      role: z.enum(['participant', 'moderator', 'panelist']),
      links: z.object({ page: z.url(), calendar: z.url(), join: z.record(z.string(), z.url()) }),
    }),
  ),
});

export const provisioningResponse = z.object({
  // The stored room state without the worker's bookkeeping fields.
  rooms: z.array(roomStateSchema.omit({ jobId: true, appliedHash: true, pendingCreate: true, readyAt: true })),
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
