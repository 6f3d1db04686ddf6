import { z } from 'zod';
import { attendanceReportSchema } from '../../domain/attendance-report.js';
import { idSchema } from '../../domain/programme.js';

export const attendanceResponse = attendanceReportSchema;

export const roomParams = z.object({ eventId: idSchema, roomId: z.string().min(1).max(200) });

export const hostLinkResponse = z.object({
  url: z.string().describe("Zoom's start_url or a signed BigBlueButton moderator join; never stored, use it at once"),
  expiresAt: z.iso.datetime().describe('until when the link is promised to work'),
});

export const acceptedResponse = z.object({ accepted: z.literal(true) });

export const analyticsAck = z.object({ status: z.enum(['recorded', 'duplicate']), attendees: z.number().int().optional() });
