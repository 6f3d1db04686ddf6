import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { urlValidationResponse, verifyZoomWebhook } from '../../providers/zoom/webhook-signature.js';
import { IMPLAUSIBLE_INSTANT, isPlausibleInstant, type ZoomWebhookService } from '../../services/zoom-webhook-service.js';
import { InvalidInput, pathOf } from '../errors.js';
import { errorResponse } from '../schemas/event-schemas.js';

export interface ZoomWebhookRoutesOptions {
  secretToken: string | undefined;
  webhooks: ZoomWebhookService;
  clock: { now(): Date };
}

/** https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events asks to reject timestamps older than 5 minutes. */
const TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * Zoom's notifications are a few kilobytes and nest five or six levels (envelope → payload → object →
 * participant); the limits are far above that and far below what could hurt a recursive walk or the store.
 */
const MAX_BODY_BYTES = 256 * 1024;
const MAX_DEPTH = 32;

/** `event_ts` is epoch milliseconds; https://developers.zoom.us/docs/api/webhooks/#webhook-structure */
const envelopeSchema = z.looseObject({
  event: z.string().min(1),
  event_ts: z.number().int().refine(isPlausibleInstant, IMPLAUSIBLE_INSTANT),
  payload: z.looseObject({}),
});

const urlValidationPayload = z.looseObject({ plainToken: z.string().min(1) });

const ackResponse = z.object({
  status: z.enum(['recorded', 'duplicate', 'ignored']),
  reason: z.string().optional(),
});
const urlValidationResponseSchema = z.object({ plainToken: z.string(), encryptedToken: z.string() });

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, at: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidInput(result.error.issues.map((i) => ({ path: pathOf([at, ...i.path]) || at, message: i.message })));
  }
  return result.data;
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
export const zoomWebhookRoutes: FastifyPluginAsyncZod<ZoomWebhookRoutesOptions> = async (app, { secretToken, webhooks, clock }) => {
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
      const outcome = await webhooks.handle({
        event: envelope.event,
        occurredAt: new Date(envelope.event_ts),
        payload: envelope.payload,
        trackingId: headerValue(request, 'x-zm-trackingid'),
      });
      switch (outcome.kind) {
        case 'invalid':
          throw new InvalidInput(outcome.issues);
        case 'duplicate':
          return { status: 'duplicate' as const };
        case 'ignored':
          if (outcome.reason === 'unknown webinar') {
            request.log.info({ event: envelope.event, webinarId: outcome.webinarId }, 'zoom webhook for an unknown webinar ignored');
          }
          return { status: 'ignored' as const, reason: outcome.reason };
        case 'recorded':
          request.log.info({ event: envelope.event, webinarId: outcome.webinarId }, 'zoom webhook recorded');
          return { status: 'recorded' as const };
      }
    },
  );
};
