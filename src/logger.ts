import { pino, type Logger, type DestinationStream } from 'pino';
import { redactUrl } from './http/request-log.js';

/**
 * Paths that may carry credentials anywhere we log objects. Request URLs are logged by our own hook
 * (see http/request-log.ts) after personal link tokens are cut out, never by Fastify's default.
 *
 * Only literal paths: pino runs every top-level key of every log line through the redactor when a path
 * starts with a wildcard, which cost ~4% of the join path's CPU. Nothing we log carries secret-named fields
 * below other keys (errors are logged by message, configs not at all); add a literal path when that changes.
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-zm-signature"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-zm-signature"]',
  'config.bbb.secret',
  'config.zoom.clientSecret',
  'config.zoomWebhookSecretToken',
  'config.organizerTokens',
  'config.signingKeys',
];

/**
 * Should anything log a request object (`{ req }`, as Fastify's own request lines do when they are on), only
 * its method and its URL as the access line logs it go out: the query dropped and token-shaped segments cut.
 * A serializer costs nothing on lines without that key.
 */
function serializeRequest(req: { method?: unknown; url?: unknown; id?: unknown }): Record<string, unknown> {
  return { method: req.method, url: typeof req.url === 'string' ? redactUrl(req.url) : undefined, reqId: req.id };
}

/**
 * pino's isoTime, `,"time":"<ISO 8601>"`, built once per millisecond instead of once per line: formatting
 * a Date costs more than the rest of the access line's fields together, and at a few thousand lines per
 * second most lines share their millisecond. Same text as pino.stdTimeFunctions.isoTime.
 */
let stampedAt = Number.NaN;
let stamp = '';
function isoTime(): string {
  const now = Date.now();
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = `,"time":"${new Date(now).toISOString()}"`;
  }
  return stamp;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'academy-orchestrator' },
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { req: serializeRequest },
      timestamp: isoTime,
    },
    destination,
  );
}

export type { Logger };
