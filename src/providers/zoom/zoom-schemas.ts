import { z } from 'zod';

/**
 * Request and response shapes for the webinar endpoints we use, written from Zoom's Meetings OpenAPI
 * (/work/shared/specs/zoom-webinars-subset.openapi.json). Responses are loose objects: Zoom adds fields over time
 * and we only depend on the ones named here.
 */

/** `yyyy-MM-ddTHH:mm:ssZ` (GMT) or `yyyy-MM-ddTHH:mm:ss` (local, read with `timezone`), per the spec's start_time text. */
export const ZOOM_START_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$/;

const InterpreterSchema = z.object({
  email: z.email(),
  /** Two Zoom language names, "English,German"; see src/domain/interpretation-languages.ts. */
  interpreter_languages: z.string().regex(/^[^,]+,[^,]+$/),
});

const WebinarSettingsSchema = z.object({
  /** 0 automatic, 1 manual, 2 no registration (Zoom's default, so it must be set to register anyone). */
  approval_type: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  registration_type: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  registrants_restrict_number: z.number().int().min(0).max(20_000).optional(),
  registrants_email_notification: z.boolean().optional(),
  registrants_confirmation_email: z.boolean().optional(),
  panelists_invitation_email_notification: z.boolean().optional(),
  practice_session: z.boolean().optional(),
  hd_video: z.boolean().optional(),
  host_video: z.boolean().optional(),
  panelists_video: z.boolean().optional(),
  on_demand: z.boolean().optional(),
  auto_recording: z.enum(['local', 'cloud', 'none']).optional(),
  audio: z.enum(['both', 'telephony', 'voip', 'thirdParty']).optional(),
  contact_name: z.string().optional(),
  contact_email: z.email().optional(),
  email_language: z.string().optional(),
  language_interpretation: z
    .object({
      enable: z.boolean(),
      interpreters: z.array(InterpreterSchema),
    })
    .optional(),
});

export const ZoomWebinarBodySchema = z.object({
  topic: z.string().min(1).max(200),
  type: z.literal(5),
  start_time: z.string().regex(ZOOM_START_TIME),
  timezone: z.string().optional(),
  duration: z.number().int().positive(),
  agenda: z.string().optional(),
  password: z.string().max(10).optional(),
  settings: WebinarSettingsSchema,
});
export type ZoomWebinarBody = z.infer<typeof ZoomWebinarBodySchema>;

export const ZoomWebinarPatchSchema = ZoomWebinarBodySchema.omit({ type: true, settings: true })
  .partial()
  .extend({ settings: WebinarSettingsSchema.partial().optional() });
export type ZoomWebinarPatch = z.infer<typeof ZoomWebinarPatchSchema>;

export const ZoomWebinarSchema = z.looseObject({
  id: z.number().int(),
  uuid: z.string(),
  host_id: z.string().optional(),
  host_email: z.string().optional(),
  topic: z.string(),
  type: z.number().int(),
  start_time: z.string().optional(),
  duration: z.number().optional(),
  timezone: z.string().optional(),
  agenda: z.string().optional(),
  created_at: z.string().optional(),
  join_url: z.string(),
  start_url: z.string().optional(),
  registration_url: z.string().optional(),
  password: z.string().optional(),
  settings: z
    .looseObject({
      approval_type: z.number().int().optional(),
      registration_type: z.number().int().optional(),
      language_interpretation: z
        .looseObject({
          enable: z.boolean().optional(),
          interpreters: z
            .array(z.looseObject({ email: z.string(), languages: z.string().optional(), interpreter_languages: z.string().optional() }))
            .optional(),
        })
        .optional(),
    })
    .optional(),
});
export type ZoomWebinar = z.infer<typeof ZoomWebinarSchema>;

export interface ZoomRegistrantInput {
  email: string;
  first_name: string;
  last_name?: string;
  language?: string;
}

export const ZoomAddedRegistrantSchema = z.looseObject({
  id: z.number().int().optional(),
  registrant_id: z.string(),
  join_url: z.string(),
  topic: z.string().optional(),
  start_time: z.string().optional(),
});
export type ZoomAddedRegistrant = z.infer<typeof ZoomAddedRegistrantSchema>;

export const ZoomBatchRegistrantsSchema = z.looseObject({
  registrants: z.array(z.looseObject({ email: z.string(), join_url: z.string(), registrant_id: z.string() })),
});
export type ZoomBatchRegistrants = z.infer<typeof ZoomBatchRegistrantsSchema>;

export const ZoomRegistrantStatusSchema = z.enum(['pending', 'approved', 'denied']);
export type ZoomRegistrantStatus = z.infer<typeof ZoomRegistrantStatusSchema>;

export const ZoomRegistrantSchema = z.looseObject({
  id: z.string(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string().optional(),
  status: z.string().optional(),
  join_url: z.string().optional(),
  create_time: z.string().optional(),
});
export type ZoomRegistrant = z.infer<typeof ZoomRegistrantSchema>;

export const ZoomRegistrantPageSchema = z.looseObject({
  next_page_token: z.string().optional(),
  page_size: z.number().optional(),
  total_records: z.number().optional(),
  registrants: z.array(ZoomRegistrantSchema).default([]),
});

export const ZoomAddedPanelistsSchema = z.looseObject({ id: z.string(), updated_at: z.string() });
export type ZoomAddedPanelists = z.infer<typeof ZoomAddedPanelistsSchema>;

export const ZoomPanelistSchema = z.looseObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  join_url: z.string().optional(),
});
export type ZoomPanelist = z.infer<typeof ZoomPanelistSchema>;

export const ZoomPanelistListSchema = z.looseObject({
  total_records: z.number().optional(),
  panelists: z.array(ZoomPanelistSchema).default([]),
});

/** `GET /users/{userId}/webinars`: the list form truncates agendas to 250 characters, so callers match on topic and start. */
export const ZoomWebinarListSchema = z.looseObject({
  next_page_token: z.string().optional(),
  total_records: z.number().optional(),
  webinars: z
    .array(z.looseObject({ id: z.number().int(), uuid: z.string().optional(), topic: z.string(), start_time: z.string().optional(), type: z.number().int().optional() }))
    .default([]),
});
export type ZoomWebinarSummary = z.infer<typeof ZoomWebinarListSchema>['webinars'][number];

/**
 * `GET /past_webinars/{webinarId}/participants` (listWebinarParticipants, MEDIUM): one row per stay, a re-join
 * being a new row; `registrant_id` only with `include_fields=registrant_id`, `user_email` often empty.
 */
export const ZoomPastParticipantSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  user_id: z.string().optional(),
  registrant_id: z.string().optional(),
  user_email: z.string().optional(),
  join_time: z.string().optional(),
  leave_time: z.string().optional(),
  duration: z.number().optional(),
});
export type ZoomPastParticipant = z.infer<typeof ZoomPastParticipantSchema>;

export const ZoomPastParticipantPageSchema = z.looseObject({
  next_page_token: z.string().optional(),
  page_size: z.number().optional(),
  total_records: z.number().optional(),
  participants: z.array(ZoomPastParticipantSchema).default([]),
});
