import { z } from 'zod';
import { eventViewSchema } from '../../domain/event-view.js';
import { idSchema, programmeSchema } from '../../domain/programme.js';

export const eventParams = z.object({ eventId: idSchema });

export const eventBody = programmeSchema;

export const eventResponse = eventViewSchema;

export type EventResponse = z.infer<typeof eventResponse>;

export const errorResponse = z.object({
  error: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
