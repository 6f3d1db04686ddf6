import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FieldIssue } from '../http/errors.js';
import type { AttendanceStore, WebinarLink } from '../store/attendance-store.js';

/**
 * Zoom retries a failed delivery at +5, +20 and +60 minutes (https://developers.zoom.us/docs/api/webhooks/#notification-delivery),
 * so a claim must outlive the last retry; a day leaves room for clock skew and slow redeliveries.
 */
const DEDUPE_TTL_SECONDS = 24 * 60 * 60;

/** Instants outside this window are not events of this service, and past ±8.64e15 ms not even Dates. */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const LATEST_MS = Date.UTC(2101, 0, 1);
export const isPlausibleInstant = (ms: number) => ms >= EARLIEST_MS && ms < LATEST_MS;
export const IMPLAUSIBLE_INSTANT = 'must be an instant between 2000 and 2100';

const webinarId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);
const instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => isPlausibleInstant(d.getTime()), IMPLAUSIBLE_INSTANT);
/** Zoom sends "" for optional strings it does not know (email for guests, join_time on some leaves). */
const blankAsUndefined = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());

// Only the fields we read are checked: the full object carries more (host_id, topic, ...) and may grow.
const webinarObject = z.looseObject({ id: webinarId, end_time: blankAsUndefined(instant) });
const participantObject = z.looseObject({
  id: webinarId,
  participant: z.looseObject({
    registrant_id: blankAsUndefined(z.string()),
    user_name: blankAsUndefined(z.string()),
    email: blankAsUndefined(z.string()),
    join_time: blankAsUndefined(instant),
    leave_time: blankAsUndefined(instant),
  }),
});

const HANDLED = new Set(['webinar.started', 'webinar.ended', 'webinar.participant_joined', 'webinar.participant_left']);

/** One signed, well-formed notification, as the route hands it over. */
export interface ZoomNotification {
  event: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
  /** Zoom's own delivery id (`x-zm-trackingid`), when a proxy has not stripped it. */
  trackingId: string | undefined;
}

export type ZoomNotificationOutcome =
  | { kind: 'recorded'; webinarId: string }
  | { kind: 'duplicate' }
  | { kind: 'ignored'; reason: 'event type not handled' | 'participant has no registrant_id' | 'unknown webinar'; webinarId?: string }
  | { kind: 'invalid'; issues: FieldIssue[] };

export interface ZoomWebhookService {
  handle(notification: ZoomNotification): Promise<ZoomNotificationOutcome>;
}

type Prepared = { webinarId: string; apply(link: WebinarLink): Promise<void> };

/** What Zoom's webinar notifications mean for attendance: validated, deduplicated, recorded once. */
export function createZoomWebhookService(deps: {
  attendance: AttendanceStore;
  /** After `webinar.ended` is recorded: Zoom's list of past participants is read a little later. */
  onWebinarEnded?: (link: WebinarLink, at: Date) => Promise<void>;
}): ZoomWebhookService {
  const { attendance } = deps;

  /** Turns a handled event into the store call it means; undefined when there is nothing to record. */
  function prepare(event: string, object: unknown, occurredAt: Date): Prepared | undefined | FieldIssue[] {
    if (event === 'webinar.started' || event === 'webinar.ended') {
      const parsed = webinarObject.safeParse(object);
      if (!parsed.success) return issuesOf(parsed.error);
      const webinar = parsed.data;
      return {
        webinarId: webinar.id,
        apply: (link) =>
          event === 'webinar.started'
            ? attendance.recordWebinarStarted(link, occurredAt)
            : attendance.recordWebinarEnded(link, webinar.end_time ?? occurredAt).then(() => deps.onWebinarEnded?.(link, webinar.end_time ?? occurredAt)),
      };
    }
    const parsed = participantObject.safeParse(object);
    if (!parsed.success) return issuesOf(parsed.error);
    const { id, participant } = parsed.data;
    // Email is empty for guests who are not signed in, so the registrant id is the only reliable key;
    // panelists and the host have none and are not registrants.
    const registrantId = participant.registrant_id;
    if (!registrantId) return undefined;
    return {
      webinarId: id,
      apply: (link) =>
        event === 'webinar.participant_joined'
          ? attendance.recordJoin(link, registrantId, participant.join_time ?? occurredAt, { name: participant.user_name, email: participant.email })
          : attendance.recordLeave(link, registrantId, participant.leave_time ?? occurredAt),
    };
  }

  return {
    async handle(notification) {
      if (!HANDLED.has(notification.event)) return { kind: 'ignored', reason: 'event type not handled' };
      // Validated before the delivery is claimed, so a malformed event is never remembered as done.
      const record = prepare(notification.event, notification.payload.object, notification.occurredAt);
      if (Array.isArray(record)) return { kind: 'invalid', issues: record };
      if (!record) return { kind: 'ignored', reason: 'participant has no registrant_id' };

      const keys = deliveryKeys(notification);
      const seen = await Promise.all(keys.map((key) => attendance.seen(key, DEDUPE_TTL_SECONDS)));
      if (seen.some(Boolean)) return { kind: 'duplicate' };
      try {
        const link = await attendance.lookupWebinar(record.webinarId);
        // An error would only make Zoom retry three times for a webinar we will never know; acknowledge instead.
        if (!link) return { kind: 'ignored', reason: 'unknown webinar', webinarId: record.webinarId };
        await record.apply(link);
      } catch (error) {
        // Let Zoom's retry do the work again rather than find the delivery already claimed.
        await Promise.all(keys.map((key) => attendance.forget(key))).catch(() => undefined);
        throw error;
      }
      return { kind: 'recorded', webinarId: record.webinarId };
    },
  };
}

function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: ['payload', 'object', ...i.path].map(String).join('.'), message: i.message }));
}

/** Retries repeat the same body; the tracking id is Zoom's own delivery id when a proxy has not stripped it. */
function deliveryKeys(n: ZoomNotification): string[] {
  // The route bounds the payload's depth, so serialising it cannot overflow the stack.
  const digest = createHash('sha256').update(`${n.event}\n${n.occurredAt.getTime()}\n${JSON.stringify(n.payload)}`).digest('hex');
  return n.trackingId ? [`t:${n.trackingId}`, `h:${digest}`] : [`h:${digest}`];
}
