import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { urlValidationResponse, verifyZoomWebhook } from '../../providers/zoom/webhook-signature.js';
import type { AttendanceStore, WebinarLink } from '../../store/attendance-store.js';
import { InvalidInput, pathOf } from '../errors.js';
import { errorResponse } from '../schemas/event-schemas.js';

export interface ZoomWebhookRoutesOptions {
  secretToken: string | undefined;
  attendance: AttendanceStore;
  clock: { now(): Date };
}

/**
 * Zoom retries a failed delivery at +5, +20 and +60 minutes (https://developers.zoom.us/docs/api/webhooks/#notification-delivery),
 * so a claim must outlive the last retry; a day leaves room for clock skew and slow redeliveries.
 */
const DEDUPE_TTL_SECONDS = 24 * 60 * 60;
/** https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events asks to reject timestamps older than 5 minutes. */
const TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * Zoom's notifications are a few kilobytes and nest five or six levels (envelope → payload → object →
 * participant); the limits are far above that and far below what could hurt a recursive walk or the store.
 */
const MAX_BODY_BYTES = 256 * 1024;
const MAX_DEPTH = 32;

/** Instants outside this window are not events of this service, and past ±8.64e15 ms not even Dates. */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const LATEST_MS = Date.UTC(2101, 0, 1);
const inWindow = (ms: number) => ms >= EARLIEST_MS && ms < LATEST_MS;
const WINDOW_MESSAGE = 'must be an instant between 2000 and 2100';

/** `event_ts` is epoch milliseconds; https://developers.zoom.us/docs/api/webhooks/#webhook-structure */
const envelopeSchema = z.looseObject({
  event: z.string().min(1),
  event_ts: z.number().int().refine(inWindow, WINDOW_MESSAGE),
  payload: z.looseObject({}),
});
type Envelope = z.infer<typeof envelopeSchema>;

const webinarId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);
const instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => inWindow(d.getTime()), WINDOW_MESSAGE);
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

const urlValidationPayload = z.looseObject({ plainToken: z.string().min(1) });

const ackResponse = z.object({
  status: z.enum(['recorded', 'duplicate', 'ignored']),
  reason: z.string().optional(),
});
const urlValidationResponseSchema = z.object({ plainToken: z.string(), encryptedToken: z.string() });

const HANDLED = new Set(['webinar.started', 'webinar.ended', 'webinar.participant_joined', 'webinar.participant_left']);

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, at: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidInput(result.error.issues.map((i) => ({ path: pathOf([at, ...i.path]) || at, message: i.message })));
  }
  return result.data;
}

/** Retries repeat the same body; the tracking id is Zoom's own delivery id when a proxy has not stripped it. */
function deliveryKeys(envelope: Envelope, trackingId: string | undefined): string[] {
  const digest = createHash('sha256').update(`${envelope.event}\n${envelope.event_ts}\n${JSON.stringify(envelope.payload)}`).digest('hex');
  return trackingId ? [`t:${trackingId}`, `h:${digest}`] : [`h:${digest}`];
}

/** Iterative, so the check itself cannot overflow the stack it protects. */
function nestingExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * `POST /webhooks/zoom`: Zoom event notifications (https://developers.zoom.us/docs/api/webhooks/). Registered without
 * fastify-plugin so its raw-body JSON parser stays inside this context.
 */
export const zoomWebhookRoutes: FastifyPluginAsyncZod<ZoomWebhookRoutesOptions> = async (app, { secretToken, attendance, clock }) => {
  // The signature covers the exact bytes Zoom sent; re-serialising parsed JSON would not reproduce them.
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (request, body, done) => {
    const raw = body as Buffer;
    rawBodies.set(request, raw);
    // Fastify's own parser: same 400 for bad or empty JSON, and it refuses __proto__ / constructor poisoning.
    parseJson(request, raw.toString('utf8'), (error, parsed) => {
      if (error) return done(error);
      if (nestingExceeds(parsed, MAX_DEPTH)) {
        return done(new InvalidInput([{ path: 'body', message: `nests deeper than ${MAX_DEPTH} levels` }]), undefined);
      }
      return done(null, parsed);
    });
  });

  // Before schema validation, so an unsigned request learns nothing about what a valid envelope looks like.
  const verify = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!secretToken) {
      request.log.warn('zoom webhook received but ZOOM_WEBHOOK_SECRET_TOKEN is not set');
      return reply.code(503).send({ error: 'Zoom webhooks are not configured on this server (ZOOM_WEBHOOK_SECRET_TOKEN is not set)' });
    }
    const verification = verifyZoomWebhook({
      rawBody: rawBodies.get(request) ?? Buffer.alloc(0),
      timestamp: headerValue(request, 'x-zm-request-timestamp'),
      signature: headerValue(request, 'x-zm-signature'),
      secretToken,
      nowMs: clock.now().getTime(),
      toleranceMs: TIMESTAMP_TOLERANCE_MS,
    });
    if (!verification.ok) {
      request.log.warn({ reason: verification.reason }, 'zoom webhook rejected');
      const error = verification.reason === 'stale' ? 'stale or invalid x-zm-request-timestamp' : 'invalid or missing x-zm-signature';
      return reply.code(401).send({ error });
    }
    return undefined;
  };

  app.post(
    '/webhooks/zoom',
    {
      preValidation: verify,
      schema: {
        tags: ['webhooks'],
        summary: 'Zoom event notifications (webinar start/end, participant join/leave, endpoint validation)',
        description:
          'Signed by Zoom with `x-zm-signature` over `v0:{x-zm-request-timestamp}:{raw body}`. Deliveries are deduplicated; ' +
          'unknown webinars and event types are acknowledged and ignored.',
        body: envelopeSchema,
        response: { 200: z.union([ackResponse, urlValidationResponseSchema]), 400: errorResponse, 401: errorResponse, 415: errorResponse, 503: errorResponse },
      },
    },
    async (request) => {
      const envelope = request.body;
      // verify() answered 503 otherwise; narrowed again for the compiler.
      const secret = secretToken ?? '';
      if (envelope.event === 'endpoint.url_validation') {
        const { plainToken } = parseOrThrow(urlValidationPayload, envelope.payload, 'payload');
        return urlValidationResponse(plainToken, secret);
      }
      if (!HANDLED.has(envelope.event)) return { status: 'ignored' as const, reason: 'event type not handled' };

      // Validate before claiming the delivery, so a malformed event is never remembered as done.
      const record = prepare(envelope.event, envelope.payload.object, new Date(envelope.event_ts));
      if (!record) return { status: 'ignored' as const, reason: 'participant has no registrant_id' };

      const keys = deliveryKeys(envelope, headerValue(request, 'x-zm-trackingid'));
      const seen = await Promise.all(keys.map((key) => attendance.seen(key, DEDUPE_TTL_SECONDS)));
      if (seen.some(Boolean)) return { status: 'duplicate' as const };

      try {
        const link = await attendance.lookupWebinar(record.webinarId);
        // An error would only make Zoom retry three times for a webinar we will never know; acknowledge instead.
        if (!link) {
          request.log.info({ event: envelope.event, webinarId: record.webinarId }, 'zoom webhook for an unknown webinar ignored');
          return { status: 'ignored' as const, reason: 'unknown webinar' };
        }
        await record.apply(link);
      } catch (error) {
        // Let Zoom's retry do the work again rather than find the delivery already claimed.
        await Promise.all(keys.map((key) => attendance.forget(key))).catch(() => undefined);
        throw error;
      }
      request.log.info({ event: envelope.event, webinarId: record.webinarId }, 'zoom webhook recorded');
      return { status: 'recorded' as const };
    },
  );

  /** Turns a handled event into the store call it means; undefined when there is nothing to record. */
  function prepare(event: string, object: unknown, occurredAt: Date): { webinarId: string; apply(link: WebinarLink): Promise<void> } | undefined {
    if (event === 'webinar.started' || event === 'webinar.ended') {
      const webinar = parseOrThrow(webinarObject, object, 'payload.object');
      return {
        webinarId: webinar.id,
        apply: (link) =>
          event === 'webinar.started'
            ? attendance.recordWebinarStarted(link, occurredAt)
            : attendance.recordWebinarEnded(link, webinar.end_time ?? occurredAt),
      };
    }
    const { id, participant } = parseOrThrow(participantObject, object, 'payload.object');
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
};
