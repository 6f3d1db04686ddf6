import { z } from 'zod';
import { provisioningPlanSchema } from '../../services/plan-service.js';
import { heldBackSchema } from '../../services/provisioning-service.js';
import { roomStateSchema } from '../../store/room-state-store.js';

export const provisioningResponse = z.object({
  // The stored room state without the worker's bookkeeping fields.
  rooms: z.array(
    roomStateSchema
      .omit({ jobId: true, appliedHash: true, pendingCreate: true, readyAt: true })
      .extend({ heldBack: heldBackSchema.optional().describe("Zoom registrants refused for today by Zoom's per-registrant limit, and when each is sent again") }),
  ),
});

export const planResponse = provisioningPlanSchema;
