import { z } from 'zod';
import { messageKindSchema, messageStatusSchema } from '../../domain/messages.js';

export const messagesQuery = z.strictObject({
  participantId: z.string().regex(/^p-[a-z0-9]{12}$/, 'is not a participant id').optional(),
  kind: messageKindSchema.optional(),
  status: messageStatusSchema.optional(),
});

export const messageView = z.object({
  id: z.string(),
  participantId: z.string(),
  kind: messageKindSchema,
  status: messageStatusSchema,
  attempts: z.number().int(),
  error: z.string().optional().describe("the SMTP server's reply, or why the message was skipped"),
  sentAt: z.string().optional(),
  plannedFor: z.string().optional().describe('when a reminder or change notice is due'),
});

export const messagesResponse = z.object({ messages: z.array(messageView) });

export const invitationResponse = z.object({ message: messageView });
