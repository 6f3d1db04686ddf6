import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Paths that may carry credentials anywhere we log objects. Request URLs are logged by our own hook
 * (see http/request-log.ts) after personal link tokens are cut out, never by Fastify's default.
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-zm-signature"]',
  'headers.authorization',
  '*.secret',
  '*.password',
  '*.clientSecret',
  '*.accessToken',
  '*.access_token',
  '*.token',
  '*.organizerTokens',
  '*.signingKeys',
  'config.bbb.secret',
  'config.zoom.clientSecret',
  'config.zoomWebhookSecretToken',
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
