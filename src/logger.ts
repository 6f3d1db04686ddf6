import { pino, type Logger, type DestinationStream } from 'pino';

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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'academy-orchestrator' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
